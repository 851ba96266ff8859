"""Stage SOPs: the checklist a stage carries, and each deal's copy of it for one stay."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lejek.automation.models.runs import Anchor, Offset
from lejek.pipelines.models import Deal, Stage


class StageChecklist(models.Model):
    """The standard operating procedure of one stage: its steps and the gate's fields."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="checklist")
    # Deal fields that must be filled before a deal may move forward out of the stage.
    required_fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Checklist of {self.stage}"


class StepKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    AUTOMATIC = "automatic", _("Automatic")


class StepTemplate(models.Model):
    """One step of a stage's checklist: ticked by a person, or actions run at a time."""

    checklist = models.ForeignKey(StageChecklist, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.MANUAL)
    required = models.BooleanField(default=False)
    actions = models.JSONField(default=list, blank=True)
    anchor = models.CharField(
        max_length=20, choices=Anchor.choices, default=Anchor.STAGE_ENTERED, blank=True
    )
    offset_value = models.IntegerField(default=0)
    offset_unit = models.CharField(max_length=15, choices=Offset.choices, default=Offset.HOURS)
    # Removed steps stay so deals' past checklists keep pointing at them.
    is_active = models.BooleanField(default=True)
    # Identifies the shipped steps, so seeding them again finds them instead of duplicating.
    key = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["checklist_id", "order", "id"]

    def __str__(self) -> str:
        return self.title


class DealStepStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class DealStep(models.Model):
    """A deal's copy of one checklist step for one stay in the stage: who did it and when."""

    Status = DealStepStatus

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="checklist_steps")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        StepTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal_steps"
    )
    # The deal's `stage_entered_at` for this stay: a deal that comes back gets a fresh list.
    entered_at = models.DateTimeField()
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.MANUAL)
    required = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deal_id", "entered_at", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "template", "entered_at"], name="dealstep_once_per_stay"
            )
        ]
        indexes = [models.Index(fields=["deal", "stage", "entered_at"], name="dealstep_stay")]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE
