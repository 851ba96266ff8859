"""Lead scoring: engagement events, scoring rules, the score ledger and thresholds.

A lead's score (`Lead.score`) is always the sum of its ledger rows (`ScoreEntry`): every
change, whether from an event, a lead attribute, decay or a rescore after a rule change,
is a row naming the rule and its points. Rules and thresholds are soft-deleted so the
ledger keeps pointing at what explained each row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lejek.leads.models import Lead


class EventType(models.TextChoices):
    EMAIL_OPENED = "email_opened", _("Email opened")
    LINK_CLICKED = "link_clicked", _("Link clicked")
    PAGE_VISITED = "page_visited", _("Page visited")
    FORM_SUBMITTED = "form_submitted", _("Form submitted")
    REPLIED = "replied", _("Replied")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    CONTENT_DOWNLOADED = "content_downloaded", _("Content downloaded")
    WEBINAR_ATTENDED = "webinar_attended", _("Webinar attended")
    EMAIL_BOUNCED = "email_bounced", _("Email bounced")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class EngagementEvent(models.Model):
    """Something a lead did (opened an email, visited a page…), reported by an outside
    system. `external_id` is the sender's id of the event: sending it again changes nothing."""

    Type = EventType

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="engagement_events")
    type = models.CharField(max_length=30, choices=EventType.choices)
    external_id = models.CharField(max_length=200, unique=True)
    url = models.CharField(max_length=2000, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=50, blank=True, default="")
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lead", "occurred_at"], name="engagement_lead_at")]

    def __str__(self) -> str:
        return f"{self.type} on lead {self.lead_id}"


class RuleKind(models.TextChoices):
    EVENT = "event", _("Engagement event")
    ATTRIBUTE = "attribute", _("Lead attribute")


class Match(models.TextChoices):
    ALL = "all", _("All conditions")
    ANY = "any", _("Any condition")


class Decay(models.TextChoices):
    NONE = "", _("No decay")
    HALVE = "halve", _("Halve every N days")
    EXPIRE = "expire", _("Expire after N days")


class ScoringRuleQuerySet(models.QuerySet):
    def alive(self) -> "ScoringRuleQuerySet":
        return self.filter(deleted_at__isnull=True)

    def active(self) -> "ScoringRuleQuerySet":
        return self.alive().filter(is_active=True)


class ScoringRule(models.Model):
    """Points for an engagement event (type + conditions on the event, e.g. URL contains
    "/pricing") or for a lead attribute (conditions on the lead's fields).

    An event rule may count at most `cap_count` times per `cap_period_days` (consecutive
    periods of that many days; no period: in total) and its points may decay.
    """

    Kind = RuleKind
    Match = Match
    Decay = Decay

    key = models.CharField(max_length=50, blank=True, default="")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=RuleKind.choices)
    event_type = models.CharField(max_length=30, choices=EventType.choices, blank=True, default="")
    conditions = models.JSONField(default=list, blank=True)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    points = models.IntegerField()
    cap_count = models.PositiveIntegerField(null=True, blank=True)
    cap_period_days = models.PositiveIntegerField(null=True, blank=True)
    decay = models.CharField(max_length=10, choices=Decay.choices, blank=True, default=Decay.NONE)
    decay_days = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScoringRuleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Reason(models.TextChoices):
    EVENT = "event", _("Event")
    ATTRIBUTE = "attribute", _("Lead data")
    DECAY = "decay", _("Decay")
    RESCORE = "rescore", _("Rules changed")


class ScoreEntry(models.Model):
    """One change of one lead's score: which rule gave how many points, and why. Never updated."""

    Reason = Reason

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_entries")
    rule = models.ForeignKey(ScoringRule, on_delete=models.PROTECT, related_name="entries")
    event = models.ForeignKey(
        EngagementEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    points = models.IntegerField()
    # When the points count from: the event's time for events, else when they were given.
    at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "score entries"
        indexes = [
            models.Index(fields=["lead", "rule"], name="score_entry_lead_rule"),
            models.Index(fields=["rule", "at"], name="score_entry_rule_at"),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id}: {self.points:+d} ({self.rule_id})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Score entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ThresholdKind(models.TextChoices):
    MQL = "mql", _("Marketing qualified (MQL)")
    SQL = "sql", _("Sales qualified (SQL)")
    FLOOR = "floor", _("Disqualification floor")
    CUSTOM = "custom", _("Other level")


class Threshold(models.Model):
    """A score level and what happens once when a lead's score crosses it: upwards for MQL,
    SQL and other levels, downwards (below it) for the disqualification floor."""

    Kind = ThresholdKind

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=ThresholdKind.choices)
    score = models.IntegerField()
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_subject = models.CharField(max_length=200, blank=True, default="")
    task_due_days = models.PositiveSmallIntegerField(default=1)
    campaign = models.ForeignKey(
        "automation.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["score", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.score})"

    @property
    def downwards(self) -> bool:
        return self.kind == ThresholdKind.FLOOR


class ThresholdCrossing(models.Model):
    """A lead crossed a threshold: recorded once per lead and threshold, so its actions run
    once however many events follow."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="threshold_crossings")
    threshold = models.ForeignKey(Threshold, on_delete=models.CASCADE, related_name="crossings")
    score_before = models.IntegerField()
    score_after = models.IntegerField()
    at = models.DateTimeField(default=timezone.now)
    actions_done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "threshold"], name="crossing_once_per_lead")
        ]
        indexes = [
            models.Index(
                fields=["at"], name="crossing_pending", condition=Q(actions_done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id} crossed {self.threshold_id}"
