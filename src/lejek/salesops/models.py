"""Quotas, commission plans and statements, and the weekly pipeline audit."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lejek.accounts.models import Team
from lejek.analytics.filters import Period, add_months
from lejek.pipelines.models import Deal


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Quota(models.Model):
    """Won revenue a rep or a whole team is expected to bring in one month or quarter."""

    Kind = PeriodKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="quotas"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MONTH)
    period_start = models.DateField(help_text="First day of the month or quarter")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="quota_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "period_start"],
                condition=Q(user__isnull=False),
                name="quota_unique_user_period",
            ),
            models.UniqueConstraint(
                fields=["team", "kind", "period_start"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_period",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"team {self.team_id}"
        return f"{who} {self.kind} {self.period_start:%Y-%m}: {self.amount}"

    @property
    def period(self) -> Period:
        months = 3 if self.kind == PeriodKind.QUARTER else 1
        return Period(self.period_start, add_months(self.period_start, months - 1))


class CommissionPlan(models.Model):
    """Base pay plus a rate on won revenue in a month, paid from a target (cliff) or from the
    first unit (linear), with optional accelerators: a higher rate on the revenue above a
    multiple of the target (`tiers`: [{"above": "1.5", "rate": "0.15"}, ...])."""

    class Kind(models.TextChoices):
        CLIFF = "cliff", "Cliff: nothing below target"
        LINEAR = "linear", "Linear: from the first unit"

    name = models.CharField(max_length=120, unique=True)
    base_pay = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    rate = models.DecimalField(max_digits=7, decimal_places=4, help_text="0.1000 = 10 %")
    target = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CLIFF)
    tiers = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommissionAssignment(models.Model):
    """The plan a rep is paid under (one at a time)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commission_assignment"
    )
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.plan_id}"


class Statement(models.Model):
    """One rep's commission for one month. A draft follows the deals; an approved statement
    is frozen, and later changes are appended as adjustment lines."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commission_statements"
    )
    month = models.DateField(help_text="First day of the month")
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="statements")
    terms = models.JSONField(default=dict, help_text="The plan's terms when computed")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3, default="USD")
    base_pay = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    commission = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    adjustments = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    computed_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # A fingerprint of the deal lines a draft's figures were computed from (a draft's lines
    # are not stored): when the deals read now give another, the draft is stale and must be
    # recomputed before it is approved.
    lines_digest = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-month", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "month"], name="statement_rep_month"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="statement_month_status")]

    def __str__(self) -> str:
        return f"statement {self.rep_id} {self.month:%Y-%m}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def total_pay(self) -> Decimal:
        return self.base_pay + self.commission + self.adjustments


class StatementLine(models.Model):
    """A deal counted in an approved statement (stored at approval), or an adjustment
    appended after it. A draft's lines are built from the deals when shown, never saved."""

    class Kind(models.TextChoices):
        DEAL = "deal", "Won deal"
        CLAWBACK = "clawback", "Clawback: no longer won"
        CHANGE = "change", "Change to a counted deal"
        LATE = "late", "Deal counted late"
        COMMISSION = "commission", "Commission recalculated"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DEAL)
    is_adjustment = models.BooleanField(default=False)
    # The line copies what it counts (title, date, amount), so the deal is only a link: kept
    # by the ORM (SET_NULL when a deal is deleted, through the index) rather than checked by
    # the database, which would look each deal up again for every line written (about half
    # the cost of writing a month's statements; on PostgreSQL a lock on every deal counted).
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    deal_title = models.CharField(max_length=200, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    amount_currency = models.CharField(max_length=3, blank=True, default="")
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    commission = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["is_adjustment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.deal_title} {self.revenue}"


class AuditWeek(models.Model):
    """The weekly pipeline audit of one team, opened on the Monday of `week_start`."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audit_weeks")
    week_start = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    queue_size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week_start"], name="auditweek_team_week")
        ]

    def __str__(self) -> str:
        return f"audit {self.team_id} {self.week_start}"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


class DealReview(models.Model):
    """A deal reviewed in one week's audit: still qualified?, the next action, a note."""

    week = models.ForeignKey(AuditWeek, on_delete=models.CASCADE, related_name="reviews")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    still_qualified = models.BooleanField()
    next_action = models.CharField(max_length=300, blank=True, default="")
    note = models.TextField(blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["week", "deal"], name="dealreview_week_deal")
        ]

    def __str__(self) -> str:
        return f"review {self.deal_id} in {self.week_id}"
