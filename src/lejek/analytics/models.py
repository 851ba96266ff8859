"""Analytics: exchange rates, stage roles, and the summaries that keep the metrics fast.

The summaries are derived data. Each is recomputed from the raw history
(`StageChange`, `StatusChange`, activities, leads) by `summaries.refresh_*`
in the same transaction as the change that affects it, and the whole set can
be rebuilt with `manage.py rebuild_analytics`. Metrics read `Rollup`, a small
table of monthly counts and sums, instead of scanning history.
"""

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

# Stands for "no month" (open deals) and "no exchange rate" in rollup keys, which must not be NULL
# so that one unique index can serve every kind of row.
NONE_DATE = datetime.date(1970, 1, 1)


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of the reporting currency from `valid_from`.

    A rate stays valid until the next rate of the same currency starts.
    """

    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])
    valid_from = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_currency_from")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from}"


class StageRole(models.Model):
    """What a stage stands for in the metrics, e.g. reaching it means a proposal was sent."""

    class Role(models.TextChoices):
        PROPOSAL = "proposal", "Proposal sent"

    stage = models.OneToOneField(
        "pipelines.Stage", on_delete=models.CASCADE, related_name="analytics_role"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PROPOSAL)

    def __str__(self) -> str:
        return f"{self.stage}: {self.role}"


class DealSummary(models.Model):
    """One row per live deal: what its history says, ready to be counted.

    Months are local calendar months (settings.TIME_ZONE) so grouping needs no date
    functions in SQL. `amount_cents` is the amount at the close for closed deals and
    the current amount for open ones; `rate_from` names the exchange rate in force on
    the close date (NONE_DATE when there is none).
    """

    deal = models.OneToOneField(
        "pipelines.Deal", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    organization_id = models.BigIntegerField(null=True)
    lead_id = models.BigIntegerField(null=True)
    source = models.CharField(max_length=20)
    status = models.CharField(max_length=6)
    stage_id = models.BigIntegerField()
    furthest_stage_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    created_month = models.DateField()
    closed_at = models.DateTimeField(null=True)
    closed_date = models.DateField(null=True)
    closed_month = models.DateField(null=True)
    cycle_seconds = models.BigIntegerField(null=True)
    amount_cents = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3)
    rate_from = models.DateField(default=NONE_DATE)
    contract_years = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    acv_cents = models.BigIntegerField(null=True)
    touches = models.IntegerField(default=0)
    first_touch_month = models.DateField(null=True)
    # Set on the first won deal of each customer account (organization): its lifetime in days.
    customer_days = models.IntegerField(null=True)

    class Meta:
        verbose_name_plural = "deal summaries"
        indexes = [
            models.Index(fields=["pipeline_id", "status"], name="dealsum_pipe_status"),
            # Re-keying after a rate change, and listing deals without a rate.
            models.Index(
                fields=["currency", "rate_from", "closed_date"], name="dealsum_currency_rate"
            ),
            models.Index(fields=["status", "organization_id"], name="dealsum_status_org"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.status}"


class DealStageSummary(models.Model):
    """A deal's time in one stage: when it first got there, how long it stayed in all.

    A stay runs from entering the stage until the deal leaves it or is closed; a
    reopened deal starts a new stay. `seconds` adds up the stays that ended.
    """

    # Found by deal through the unique (deal, stage) constraint's index: no index of its own.
    deal = models.ForeignKey(
        "pipelines.Deal", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage_id = models.BigIntegerField()
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    first_reached_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True)
    left_month = models.DateField(null=True)
    seconds = models.BigIntegerField(default=0)
    visits = models.IntegerField(default=1)

    class Meta:
        verbose_name_plural = "deal stage summaries"
        constraints = [
            models.UniqueConstraint(fields=["deal", "stage_id"], name="dealstage_deal_stage")
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} in stage {self.stage_id}: {self.seconds} s"


class LeadSummary(models.Model):
    """One row per live lead: when it came in and how fast it was first contacted."""

    lead = models.OneToOneField(
        "leads.Lead", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    created_month = models.DateField()
    first_touch_month = models.DateField(null=True)
    response_seconds = models.BigIntegerField(null=True)

    class Meta:
        verbose_name_plural = "lead summaries"
        indexes = [
            models.Index(
                fields=["created_month", "response_seconds"], name="leadsum_month_response"
            ),
            # The median over many months walks this one instead of sorting.
            models.Index(fields=["response_seconds"], name="leadsum_response"),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id}"


class ActivitySummary(models.Model):
    """One row per live activity: which counters it adds to, for which month and prospect."""

    activity = models.OneToOneField(
        "activities.Activity", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_id = models.BigIntegerField()
    deal_id = models.BigIntegerField(null=True)
    lead_id = models.BigIntegerField(null=True)
    pipeline_id = models.BigIntegerField(default=0)
    source = models.CharField(max_length=20, default="")
    created_month = models.DateField()
    done_month = models.DateField(null=True)
    kind = models.CharField(max_length=10)
    direction = models.CharField(max_length=10)
    is_reply = models.BooleanField()
    is_positive = models.BooleanField(null=True)
    minutes = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "activity summaries"
        indexes = [
            models.Index(fields=["deal_id"], name="actsum_deal"),
            models.Index(fields=["lead_id"], name="actsum_lead"),
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id}"


class Rollup(models.Model):
    """Monthly counts and sums per pipeline, owner, source and a few kind-specific keys.

    Rows are changed only by adding the difference between a record's old and new
    summary, so they always equal the sum over the summaries. Keys use 0, '' and
    NONE_DATE for "not applicable".

    Each sum is kept at four grains so a read scans only the rows its filters need:
    ALL (owner 0, source ''), OWNER (source ''), SOURCE (owner 0) and FULL.
    """

    class Grain(models.TextChoices):
        ALL = "a", "Pipeline"
        OWNER = "o", "Pipeline and owner"
        SOURCE = "s", "Pipeline and source"
        FULL = "f", "Pipeline, owner and source"

    class Kind(models.TextChoices):
        COHORT = "cohort", "Deals by month created and furthest stage"
        CLOSED = "closed", "Deals by month closed"
        OPEN = "open", "Open deals by stage"
        STAGE_TIME = "stage_time", "Time in stage by month left"
        ACTIVITY = "activity", "Activities by month"
        REACHED = "reached", "Prospects by month first contacted"
        LEAD = "lead", "Leads by month created"
        CUSTOMER = "customer", "Customer accounts by month of their first won deal"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    month = models.DateField()
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    stage_id = models.BigIntegerField()
    status = models.CharField(max_length=12)
    currency = models.CharField(max_length=3)
    rate_from = models.DateField()
    n = models.BigIntegerField(default=0)
    n_amount = models.BigIntegerField(default=0)
    cents = models.BigIntegerField(default=0)
    acv_cents = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    touches = models.BigIntegerField(default=0)
    touches5 = models.BigIntegerField(default=0)
    org_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "grain",
                    "month",
                    "pipeline_id",
                    "owner_id",
                    "source",
                    "stage_id",
                    "status",
                    "currency",
                    "rate_from",
                ],
                name="rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.grain} {self.month}: {self.n}"


class SyncState(models.Model):
    """How far the summaries have followed the audit log (one row)."""

    audit_id = models.BigIntegerField(default=0)
    layout = models.JSONField(default=dict)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"audit entry {self.audit_id}"


class ClosedChange(models.Model):
    """One row per change to the summaries of closed deals: a deal closed, reopened,
    edited or deleted after closing, a rate re-keyed, a rebuild (`closed_log`).

    Forecasting names the closed history it caches by this log instead of scanning a
    million summaries. Rows are only added (a rebuild empties the table and adds one),
    so the count and the last row change with every committed change, whatever order
    concurrent transactions commit in.
    """

    token = models.BigIntegerField()  # random: tells apart two logs that reused an id
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"closed history change {self.pk}"
