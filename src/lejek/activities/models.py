"""Activities and notes on any record: calls, emails, meetings, tasks, deadlines."""

from django.conf import settings
from django.db import models

from lejek.contacts.models import Organization, Person
from lejek.core.models import OwnedRecord
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    TASK = "task", "Task"
    DEADLINE = "deadline", "Deadline"
    NOTE = "note", "Note"


class Activity(OwnedRecord):
    Kind = ActivityKind

    class Direction(models.TextChoices):
        NONE = "", "—"
        OUTBOUND = "outbound", "Outbound"
        INBOUND = "inbound", "Inbound"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField(blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, default="")
    direction = models.CharField(
        max_length=10, choices=Direction.choices, blank=True, default=Direction.NONE
    )
    is_reply = models.BooleanField(default=False)
    # For replies: was it positive (seed 000 "positive replies ÷ replies")? None = not judged.
    is_positive = models.BooleanField(null=True, blank=True)

    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["owner", "done_at", "due_at"], name="activity_owner_due"),
            models.Index(fields=["deal", "done_at", "due_at"], name="activity_deal_due"),
            models.Index(fields=["lead", "created_at"], name="activity_lead_created"),
            models.Index(fields=["person", "created_at"], name="activity_person_created"),
            models.Index(fields=["organization", "created_at"], name="activity_org_created"),
            models.Index(fields=["kind", "done_at"], name="activity_kind_done"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_schedulable(self) -> bool:
        """Notes are records of what happened; everything else can be due."""
        return self.kind != self.Kind.NOTE
