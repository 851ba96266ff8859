"""Pipelines, their stages, deals, and the append-only history of every move."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from lejek.contacts.models import Organization, Person
from lejek.core.models import OwnedRecord
from lejek.leads.models import Lead, Source


class Pipeline(models.Model):
    name = models.CharField(max_length=120)
    template = models.CharField(max_length=40, blank=True, default="")
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class StageQuerySet(models.QuerySet):
    def active(self) -> "StageQuerySet":
        return self.filter(removed_at__isnull=True)


class Stage(models.Model):
    """A step of a pipeline. Removed stages stay (with `removed_at`) so history keeps its names."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    rotting_days = models.PositiveIntegerField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["pipeline_id", "order", "id"]
        indexes = [models.Index(fields=["pipeline", "order"], name="stage_pipeline_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def probability_ratio(self) -> Decimal:
        return Decimal(self.probability) / 100


class DealStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Deal(OwnedRecord):
    """An opportunity moving through one pipeline's stages."""

    Status = DealStatus

    class ForecastCategory(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline"
        BEST_CASE = "best_case", "Best case"
        COMMIT = "commit", "Commit"
        OMITTED = "omitted", "Omitted"

    class Objection(models.TextChoices):
        """Objection tags from seed 004, plus the usual others."""

        PRICE_VALUE = "price_value", "Price vs value"
        RISK = "risk", "Risk"
        OFFER_CONTENT = "offer_content", "Offer content"
        CONTRACT_TERMS = "contract_terms", "Contract terms"
        TIMING = "timing", "Timing"
        COMPETITOR = "competitor", "Competitor"
        NO_DECISION = "no_decision", "No decision"

    # Owner, creation time, pipeline and stage each lead a composite index below, which
    # serves a lookup by that column alone (and the foreign-key checks): an index of
    # their own would only cost every insert and every move (16 indexes → 12).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_deals",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=False)
    title = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    people = models.ManyToManyField(Person, blank=True, related_name="deals")
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", db_index=False
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals", db_index=False)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    contract_years = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    expected_close_date = models.DateField(null=True, blank=True)
    forecast_category = models.CharField(
        max_length=12, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    committed_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    committed_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    lost_reason = models.CharField(max_length=300, blank=True, default="")
    objection_tags = models.JSONField(default=list, blank=True)
    next_step = models.CharField(max_length=300, blank=True, default="")

    # Denormalised by the services so analytics and the board stay cheap.
    stage_entered_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    next_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="deal_pipe_status_stage"),
            # A pipeline's open (won, lost) deals newest first, read in index order: no sort.
            models.Index(
                fields=["pipeline", "status", "-created_at", "-id"], name="deal_pipe_status_created"
            ),
            # The default list order (newest first, id as tie-break) reads this index backwards.
            models.Index(fields=["created_at", "id"], name="deal_created_id"),
            models.Index(Lower("title"), name="deal_title_lower"),
            models.Index(fields=["owner", "status"], name="deal_owner_status"),
            # Deals closed in a period, in close order; for the won ones the index alone
            # answers commission statements (owner, amount, currency, title), without a
            # lookup of each deal's row.
            models.Index(
                fields=[
                    "status",
                    "closed_at",
                    "id",
                    "owner",
                    "deleted_at",
                    "currency",
                    "amount",
                    "title",
                ],
                name="deal_status_closed_cover",
            ),
            models.Index(fields=["status", "expected_close_date"], name="deal_status_expected"),
            models.Index(fields=["stage", "status", "stage_entered_at"], name="deal_stage_entered"),
            # The open deals newest first with what a forecast reads of them, from this index
            # alone (a tenth of the deals, no lookup of each row, no sort): 0.4 s against
            # 0.85 s for the 110,000 open deals of a million.
            models.Index(
                fields=[
                    "status",
                    "-created_at",
                    "-id",
                    "deleted_at",  # always NULL here, but SQLite reads the column to check it
                    "owner",
                    "pipeline",
                    "stage",
                    "amount",
                    "currency",
                    "stage_entered_at",
                    "expected_close_date",
                    "forecast_category",
                    "committed_amount",
                    "committed_date",
                    "source",
                ],
                condition=Q(status="open", deleted_at__isnull=True),
                name="deal_open_forecast",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weighted_amount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return (self.amount * self.stage.probability_ratio).quantize(Decimal("0.01"))


class StageChange(models.Model):
    """A deal entered `to_stage` (from `from_stage`, none when created). Append-only."""

    class Reason(models.TextChoices):
        CREATED = "created", "Created"
        MOVED = "moved", "Moved"
        STAGE_REMOVED = "stage_removed", "Stage removed"
        IMPORTED = "imported", "Imported"
        OVERRIDE = "override", "Moved past a gate"

    # deal, pipeline and to_stage lead the (…, at) indexes below, which serve every lookup
    # by them; a single-column index of their own would only slow the millions of inserts.
    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.MOVED)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["deal", "at"], name="stagechange_deal_at"),
            models.Index(fields=["to_stage", "at"], name="stagechange_stage_at"),
            models.Index(fields=["pipeline", "at"], name="stagechange_pipeline_at"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class StatusChange(models.Model):
    """A deal was won, lost or reopened. Append-only; the amount is as it was then."""

    # served by the (deal, time) index below
    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="status_changes", db_index=False
    )
    from_status = models.CharField(max_length=6, choices=Deal.Status.choices)
    to_status = models.CharField(max_length=6, choices=Deal.Status.choices)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    lost_reason = models.CharField(max_length=300, blank=True, default="")
    objection_tags = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["deal", "at"], name="statuschange_deal_at"),
            models.Index(fields=["to_status", "at"], name="statuschange_status_at"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.from_status} → {self.to_status}"
