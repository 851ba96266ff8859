"""The automation's own history: events waiting to be handled, runs, scheduled actions."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lejek.pipelines.models import Deal


class Event(models.Model):
    """Something happened to a record that rules, checklists or webhooks may react to.

    Written in the same transaction as the change itself (an outbox), so an event is
    never lost when the queue is down: the tick hands over any left unhandled.
    """

    kind = models.CharField(max_length=40)
    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    data = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)
    # Events found by scanning (stale deals, audit entries) carry a key so each is seen once.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["handled_at", "created_at"], name="autoevent_pending")]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_type}#{self.entity_id}"


class AutomationRunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class AutomationRunSource(models.TextChoices):
    RULE = "rule", _("Rule")
    STEP = "step", _("Checklist step")


class AutomationRun(models.Model):
    """One execution of a rule's (or a checklist step's) actions on one record.

    The run key makes creation idempotent: the same event can be handled twice
    and still produce one run. Claiming a run is one guarded UPDATE, so two
    workers given the same run id execute it once.
    """

    Status = AutomationRunStatus
    Source = AutomationRunSource

    run_key = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    rule = models.ForeignKey(
        "automation.Rule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    deal_step = models.ForeignKey(
        "automation.DealStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    title = models.CharField(max_length=200)
    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    trigger = models.CharField(max_length=40, blank=True, default="")
    # The actions as they were when the run was made: editing a rule does not change queued runs.
    actions = models.JSONField(default=list)
    event = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Actions before this index are done; a retry starts here, so nothing is sent twice.
    completed_actions = models.PositiveSmallIntegerField(default=0)
    results = models.JSONField(encoder=DjangoJSONEncoder, default=list, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="autorun_status_next"),
            models.Index(fields=["entity_type", "entity_id", "created_at"], name="autorun_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.title} on {self.entity_type}#{self.entity_id}: {self.status}"


class Offset(models.TextChoices):
    """Units for "N … before/after" a moment."""

    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    BUSINESS_DAYS = "business_days", _("business days")


class Anchor(models.TextChoices):
    """The moment on a deal an automatic step is timed from."""

    STAGE_ENTERED = "stage_entered", _("the deal entered the stage")
    MEETING_BOOKED = "meeting_booked", _("a meeting is booked")
    MEETING_START = "meeting_start", _("the meeting starts")
    MEETING_DONE = "meeting_done", _("the meeting is marked done")


class ScheduledActionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    STARTED = "started", _("Started")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


class ScheduledAction(models.Model):
    """Actions due at a time computed from an anchor on a deal (and its meeting).

    The due time is recomputed while the action waits, so a moved meeting moves
    its reminder. "Before" actions expire at their anchor: a reminder is pointless
    once the meeting has begun.
    """

    Status = ScheduledActionStatus

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="scheduled_actions")
    deal_step = models.OneToOneField(
        "automation.DealStep",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scheduled_action",
    )
    title = models.CharField(max_length=200)
    actions = models.JSONField(default=list)
    anchor = models.CharField(max_length=20, choices=Anchor.choices)
    offset_value = models.IntegerField(default=0)
    offset_unit = models.CharField(max_length=15, choices=Offset.choices, default=Offset.HOURS)
    due_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    run = models.ForeignKey(
        AutomationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="autosched_status_due")]

    def __str__(self) -> str:
        return f"{self.title} for deal {self.deal_id} at {self.due_at}"


class State(models.Model):
    """Small named values the scheduler keeps between ticks (the audit cursor, the tick chain)."""

    name = models.CharField(max_length=60, unique=True)
    value = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
