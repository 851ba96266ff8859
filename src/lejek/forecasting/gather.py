"""Reading what the methods need from the database: open deals, won deals, closed stays.

Amounts are converted to the reporting currency (open deals at today's rate, won
deals at the rate in force when they were won). An amount in a currency with no
rate is left out and counted, never added as if the rate were 1.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When

from lejek.accounts.models import User
from lejek.analytics.loaders import local_date
from lejek.analytics.models import DealStageSummary, DealSummary
from lejek.analytics.rates import RateTable
from lejek.forecasting.methods.common import OpenDeal, WonDeal
from lejek.forecasting.methods.winmodel import AGE_BINS, AMOUNT_BINS, Counts
from lejek.pipelines.models import Deal

DAY = 86_400
HISTORY_DAYS = 365  # won deals the run-rate and cycle methods look back over
CLOSE_TIME_SAMPLES = 20_000


@dataclass(frozen=True)
class Scope:
    """Whose deals: owners (None: all) and pipelines (None: all), already within visibility."""

    owner_ids: tuple[int, ...] | None = None
    pipeline_ids: tuple[int, ...] | None = None


@dataclass
class Data:
    as_of: datetime.date
    open: list[OpenDeal]
    won: list[WonDeal]
    counts: Counts
    close_days: dict[int, list[int]]
    priors: dict[int, float]
    unconvertible: int = 0
    teams: dict[int, int | None] = field(default_factory=dict)  # owner → team
    new_reps: list[tuple[int, datetime.date]] = field(default_factory=list)  # (rep, started)


def _owned(qs: QuerySet, scope: Scope, prefix: str = "") -> QuerySet:
    if scope.owner_ids is not None:
        qs = qs.filter(**{f"{prefix}owner_id__in": scope.owner_ids})
    if scope.pipeline_ids is not None:
        qs = qs.filter(**{f"{prefix}pipeline_id__in": scope.pipeline_ids})
    return qs


def open_deals(
    user: User | None, scope: Scope, rates: RateTable, today: datetime.date
) -> tuple[list[OpenDeal], int, dict[int, float]]:
    """Open deals `user` may see (every live one for the system's own snapshots: None)."""
    deals_qs = Deal.objects.alive() if user is None else Deal.objects.visible_to(user)
    qs = _owned(deals_qs.filter(status=Deal.Status.OPEN), scope)
    rows = qs.values_list(
        "id",
        "owner_id",
        "pipeline_id",
        "stage_id",
        "stage__probability",
        "amount",
        "currency",
        "created_at",
        "stage_entered_at",
        "expected_close_date",
        "forecast_category",
        "committed_amount",
        "committed_date",
        "source",
    )
    deals: list[OpenDeal] = []
    priors: dict[int, float] = {}
    factors: dict[str, Decimal | None] = {}
    unconvertible = 0
    for (
        pk,
        owner,
        pipeline,
        stage,
        probability,
        amount,
        currency,
        created,
        entered,
        expected,
        category,
        committed,
        committed_date,
        source,
    ) in rows.iterator(chunk_size=5000):
        if currency not in factors:
            factors[currency] = rates.today_factor(currency, today)
        factor = factors[currency]
        if factor is None and (amount is not None or committed is not None):
            unconvertible += 1
            continue
        priors[stage] = probability / 100
        deals.append(
            OpenDeal(
                id=pk,
                owner_id=owner,
                pipeline_id=pipeline,
                stage_id=stage,
                probability=probability,
                amount=None if amount is None or factor is None else amount * factor,
                created=local_date(created),
                stage_entered=local_date(entered),
                expected_close=expected,
                category=category,
                committed_amount=None
                if committed is None or factor is None
                else committed * factor,
                committed_date=committed_date,
                source=source,
            )
        )
    return deals, unconvertible, priors


def won_deals(scope: Scope, rates: RateTable, as_of: datetime.date) -> tuple[list[WonDeal], int]:
    qs = _owned(DealSummary.objects.filter(status=Deal.Status.WON), scope).filter(
        closed_date__gte=as_of - datetime.timedelta(days=HISTORY_DAYS), closed_date__lt=as_of
    )
    won: list[WonDeal] = []
    unconvertible = 0
    for owner, pipeline, closed, cents, currency, rate_from, cycle in qs.values_list(
        "owner_id",
        "pipeline_id",
        "closed_date",
        "amount_cents",
        "currency",
        "rate_from",
        "cycle_seconds",
    ).iterator(chunk_size=5000):
        factor = rates.factor(currency, rate_from)
        if factor is None:
            unconvertible += 1
            continue
        won.append(
            WonDeal(
                owner, pipeline, closed, Decimal(cents or 0) * factor / 100, (cycle or 0) // DAY
            )
        )
    return won, unconvertible


def _bins(field_name: str, bounds: tuple[int, ...], scale: object = 1) -> Case:
    whens = [
        When(**{f"{field_name}__gte": bound * scale}, then=Value(index))  # type: ignore[operator]
        for index, bound in reversed(list(enumerate(bounds)))
        if bound
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def closed_stays(scope: Scope) -> tuple[Counts, dict[int, list[int]]]:
    """Closed deals' stays per model cell, and days from entering a stage to winning."""
    stays = _owned(
        DealStageSummary.objects.filter(
            deal__status__in=[Deal.Status.WON, Deal.Status.LOST], deal__deleted_at__isnull=True
        ),
        scope,
        "deal__",
    )
    age = Case(
        *[
            When(seconds__gte=F("visits") * bound * DAY, then=Value(index))
            for index, bound in reversed(list(enumerate(AGE_BINS)))
            if bound
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    grouped = (
        stays.annotate(age_bin=age, amount_bin=_bins("deal__amount", AMOUNT_BINS))
        .values("stage_id", "age_bin", "amount_bin", "deal__source", "deal__owner_id")
        .annotate(n=Count("id"), w=Count("id", filter=Q(deal__status=Deal.Status.WON)))
    )
    counts = Counts()
    for row in grouped:
        cell = (
            row["stage_id"],
            row["age_bin"],
            row["amount_bin"],
            row["deal__source"],
            row["deal__owner_id"],
        )
        counts.add_counts(cell, row["n"], row["w"])
    close_days: dict[int, list[int]] = defaultdict(list)
    won = stays.filter(deal__status=Deal.Status.WON, deal__closed_at__isnull=False)
    for stage, reached, closed in won.order_by("-deal__closed_at").values_list(
        "stage_id", "first_reached_at", "deal__closed_at"
    )[:CLOSE_TIME_SAMPLES]:
        close_days[stage].append(max(0, (closed - reached).days))
    return counts, close_days


def owners(scope: Scope) -> tuple[dict[int, int | None], list[tuple[int, datetime.date]]]:
    """Each owner's team, and the reps with a start date."""
    users = User.objects.all()
    if scope.owner_ids is not None:
        users = users.filter(pk__in=scope.owner_ids)
    teams: dict[int, int | None] = {}
    started: list[tuple[int, datetime.date]] = []
    for pk, team, role, start in users.values_list("pk", "team_id", "role", "started_at"):
        teams[pk] = team
        if start is not None and role == User.Role.REP:
            started.append((pk, start))
    return teams, started


def load(user: User | None, scope: Scope, as_of: datetime.date) -> Data:
    rates = RateTable.load()
    deals, unconvertible, priors = open_deals(user, scope, rates, as_of)
    won, more = won_deals(scope, rates, as_of)
    counts, close_days = closed_stays(scope)
    teams, started = owners(scope)
    return Data(as_of, deals, won, counts, close_days, priors, unconvertible + more, teams, started)


def actuals(scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Decimal]:
    """Revenue won in each month (reporting currency, at the rate on the close date)."""
    rates = RateTable.load()
    totals: dict[datetime.date, Decimal] = {month: Decimal(0) for month in months}
    qs = _owned(DealSummary.objects.filter(status=Deal.Status.WON), scope).filter(
        closed_month__in=months
    )
    for month, currency, rate_from, cents in (
        qs.values("closed_month", "currency", "rate_from")
        .annotate(cents=Sum("amount_cents"))
        .values_list("closed_month", "currency", "rate_from", "cents")
    ):
        factor = rates.factor(currency, rate_from)
        if factor is not None:
            totals[month] += Decimal(cents or 0) * factor / 100
    return totals
