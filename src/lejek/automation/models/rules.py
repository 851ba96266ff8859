"""Workflow rules: when something happens to a record and conditions hold, run actions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    CREATED = "created", _("Record created")
    FIELD_UPDATED = "field_updated", _("Field updated")
    STAGE_ENTERED = "stage_entered", _("Deal entered a stage")
    STAGE_LEFT = "stage_left", _("Deal left a stage")
    WON = "won", _("Deal won")
    LOST = "lost", _("Deal lost")
    BECAME_STALE = "became_stale", _("Deal became stale")
    SCORE_CROSSED = "score_crossed", _("Lead score crossed a threshold")
    DATE_RELATIVE = "date_relative", _("Time relative to a date")


class EntityType(models.TextChoices):
    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
    ACTIVITY = "activity", _("Activity")


class Rule(models.Model):
    """Trigger → conditions → ordered actions, on one kind of record."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    entity_type = models.CharField(max_length=20, choices=EntityType.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    trigger_params = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["trigger", "is_active"], name="rule_trigger_active")]

    def __str__(self) -> str:
        return self.name
