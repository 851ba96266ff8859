"""Reading what the methods need from the database: open deals, won deals, closed stays.

Amounts are converted to the reporting currency (open deals at today's rate, won
deals at the rate in force when they were won). An amount in a currency with no
rate is left out and counted, never added as if the rate were 1.
"""

import datetime
import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from lejek.accounts.models import User
from lejek.analytics import closed_log
from lejek.analytics.loaders import TextDays
from lejek.analytics.models import DealStageSummary, DealSummary
from lejek.analytics.rates import RateTable
from lejek.forecasting.methods.common import OpenDeal, WonDeal
from lejek.forecasting.methods.winmodel import AGE_BINS, AMOUNT_BINS, Cell, Counts
from lejek.pipelines.models import Deal

DAY = 86_400
HISTORY_DAYS = 365  # won deals the run-rate and cycle methods look back over
CLOSE_TIME_SAMPLES = 20_000
HISTORY_CACHE_SECONDS = 600  # the learned history is kept this long at most (see `cached`)


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
    close_days: dict[int, list[tuple[int, int]]]  # won stays: (days in stage, days to win)
    priors: dict[int, float]
    unconvertible: int = 0
    teams: dict[int, int | None] = field(default_factory=dict)  # owner → team
    new_reps: list[tuple[int, datetime.date]] = field(default_factory=list)  # (rep, started)
    history_key: str = ""  # names the closed history the counts came from (see `cached`)


def _owned(qs: QuerySet, scope: Scope, prefix: str = "") -> QuerySet:
    if scope.owner_ids is not None:
        qs = qs.filter(**{f"{prefix}owner_id__in": scope.owner_ids})
    if scope.pipeline_ids is not None:
        qs = qs.filter(**{f"{prefix}pipeline_id__in": scope.pipeline_ids})
    return qs


class _Values:
    """Raw database values to Python, cached: dates and days repeat across deals.

    The open deals are read through a plain cursor, without Django's per-value
    converters (the bulk of the time at 100,000 deals): SQLite gives text and numbers,
    PostgreSQL dates, datetimes and Decimals; both are handled here.
    """

    def __init__(self) -> None:
        # The local calendar day of a stored moment, read as text in UTC (see `TextDays`).
        self.day = TextDays()
        self.dates: dict[object, datetime.date | None] = {None: None}
        self.decimals: dict[object, Decimal | None] = {None: None}

    def date(self, value: str | None) -> datetime.date | None:
        found = self.dates.get(value, False)
        if found is False:
            found = self.dates[value] = datetime.date.fromisoformat(str(value)[:10])
        return found  # type: ignore[return-value]

    def decimal(self, value: object) -> Decimal | None:
        """SQLite keeps a decimal column as an INTEGER or a REAL; PostgreSQL as a Decimal."""
        found = self.decimals.get(value, False)
        if found is False:
            text = repr(value) if isinstance(value, float) else value
            found = self.decimals[value] = Decimal(text)  # type: ignore[arg-type]
        return found  # type: ignore[return-value]


def _raw_rows(qs: QuerySet, chunk: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """The rows of a `values_list` query as the driver returns them (no converters)."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


def open_deals(
    user: User | None, scope: Scope, rates: RateTable, today: datetime.date
) -> tuple[list[OpenDeal], int, dict[int, float]]:
    """Open deals `user` may see (every live one for the system's own snapshots: None)."""
    deals_qs = Deal.objects.alive() if user is None else Deal.objects.visible_to(user)
    qs = _owned(deals_qs.filter(status=Deal.Status.OPEN), scope)
    # Moments and dates as text: SQLite would otherwise parse every one into a datetime.
    rows = qs.annotate(
        created_text=Cast("created_at", CharField()),
        entered_text=Cast("stage_entered_at", CharField()),
        expected_text=Cast("expected_close_date", CharField()),
        committed_date_text=Cast("committed_date", CharField()),
    ).values_list(
        "id",
        "owner_id",
        "pipeline_id",
        "stage_id",
        "stage__probability",
        "amount",
        "currency",
        "created_text",
        "entered_text",
        "expected_text",
        "forecast_category",
        "committed_amount",
        "committed_date_text",
        "source",
    )
    deals: list[OpenDeal] = []
    append = deals.append
    priors: dict[int, float] = {}
    factors: dict[str, Decimal | None] = {}
    unconvertible = 0
    values = _Values()
    day, date, decimal = values.day, values.date, values.decimal
    make = tuple.__new__  # OpenDeal(...) would run the named tuple's Python-level __new__
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
    ) in _raw_rows(rows):
        if currency not in factors:
            factors[currency] = rates.today_factor(currency, today)
        factor = factors[currency]
        if factor is None:
            if amount is not None or committed is not None:
                unconvertible += 1
                continue
        elif factor != 1:
            amount = None if amount is None else decimal(amount) * factor  # type: ignore[operator]
            committed = None if committed is None else decimal(committed) * factor  # type: ignore[operator]
        else:
            amount, committed = decimal(amount), decimal(committed)
        priors[stage] = probability / 100
        values_of_deal = (
            pk,
            owner,
            pipeline,
            stage,
            probability,
            amount,
            day(created),
            day(entered),
            date(expected),
            category,
            committed,
            date(committed_date),
            source,
        )
        append(make(OpenDeal, values_of_deal))
    return deals, unconvertible, priors


def won_deals(scope: Scope, rates: RateTable, as_of: datetime.date) -> tuple[list[WonDeal], int]:
    qs = _owned(DealSummary.objects.filter(status=Deal.Status.WON), scope).filter(
        closed_date__gte=as_of - datetime.timedelta(days=HISTORY_DAYS), closed_date__lt=as_of
    )
    won: list[WonDeal] = []
    unconvertible = 0
    values = _Values()
    factors: dict[tuple[str, object], Decimal | None] = {}
    rows = qs.annotate(
        closed_text=Cast("closed_date", CharField()), rate_text=Cast("rate_from", CharField())
    ).values_list(
        "owner_id",
        "pipeline_id",
        "closed_text",
        "amount_cents",
        "currency",
        "rate_text",
        "cycle_seconds",
    )
    for owner, pipeline, closed, cents, currency, rate_from, cycle in _raw_rows(rows):
        if (currency, rate_from) in factors:
            factor = factors[(currency, rate_from)]
        else:
            factor = factors[(currency, rate_from)] = rates.factor(currency, values.date(rate_from))
        if factor is None:
            unconvertible += 1
            continue
        won.append(
            WonDeal(
                owner,
                pipeline,
                values.date(closed),  # type: ignore[arg-type]
                Decimal(cents or 0) * factor / 100,
                (cycle or 0) // DAY,
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


def closed_stays(scope: Scope) -> tuple[Counts, dict[int, list[tuple[int, int]]]]:
    """Closed deals' stays per model cell, and the won ones' (days in the stage, days from
    entering it to winning)."""
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
    close_days: dict[int, list[tuple[int, int]]] = defaultdict(list)
    won = stays.filter(deal__status=Deal.Status.WON, deal__closed_at__isnull=False)
    for stage, reached, closed, seconds in won.order_by("-deal__closed_at").values_list(
        "stage_id", "first_reached_at", "deal__closed_at", "seconds"
    )[:CLOSE_TIME_SAMPLES]:
        close_days[stage].append((max(0, seconds // DAY), max(0, (closed - reached).days)))
    return counts, close_days


def history_key(scope: Scope) -> str:
    """A name for the closed history of `scope` that changes whenever that history does.

    Whatever rewrites a closed deal's summary logs it (`closed_log`), so the log's
    count and last row name the history in one indexed read. While the log is empty
    (a database whose summaries were never rebuilt or changed since it came in), the
    closed summaries are summed instead: slower, and only until the first change.
    """
    found: object = closed_log.mark()
    if found is None:
        found = _summed_history(scope)
    alias = DealSummary.objects.db
    raw = repr((connections[alias].settings_dict["NAME"], scope, found))
    return "forecasting:history:" + hashlib.sha256(raw.encode()).hexdigest()


def _summed_history(scope: Scope) -> tuple[object, ...]:
    """The closed summaries, counted and summed (each change moves one of these sums)."""
    closed = _owned(
        DealSummary.objects.filter(status__in=[Deal.Status.WON, Deal.Status.LOST]), scope
    ).aggregate(
        n=Count("pk"),
        last=Max("closed_at"),
        cents=Sum("amount_cents"),
        owners=Sum("owner_id"),
        stages=Sum("stage_id"),
        deals=Sum("deal_id"),
    )
    stays = DealStageSummary.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (sorted(closed.items()), sorted(stays.items()))


def cached[T](key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache for a few minutes under `key`."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, HISTORY_CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def cached_closed_stays(
    scope: Scope,
) -> tuple[Counts, dict[int, list[tuple[int, int]]], str]:
    """`closed_stays`, read again only when the closed history changed (the slow query)."""
    key = history_key(scope)

    def compute() -> tuple[dict[Cell, list[int]], dict[int, list[tuple[int, int]]]]:
        counts, close_days = closed_stays(scope)
        return dict(counts.cells), dict(close_days)

    cells, close_days = cached(f"{key}:stays:2", compute)
    counts = Counts()
    counts.cells.update(cells)
    return counts, close_days, key


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


WON_KEPT = 4  # won-deal lists kept in this process (each about 100,000 deals at 1M)
_won_kept: "OrderedDict[str, tuple[list[WonDeal], int]]" = OrderedDict()


def kept_won_deals(
    scope: Scope, rates: RateTable, as_of: datetime.date, key: str
) -> tuple[list[WonDeal], int]:
    """`won_deals`, read again only when the closed history (`key`) or the rates changed.

    Kept in this process, not in the cache: a year of won deals at a million deals is
    about 100,000 objects, which a cache would pickle and unpickle on every request
    at about the cost of reading them. Callers must not change the list.
    """
    name = repr((key, scope, as_of, sorted(rates.rates.items())))
    found = _won_kept.get(name)
    if found is None:
        found = _won_kept[name] = won_deals(scope, rates, as_of)
        while len(_won_kept) > WON_KEPT:
            _won_kept.popitem(last=False)
    else:
        _won_kept.move_to_end(name)
    return found


def load(user: User | None, scope: Scope, as_of: datetime.date) -> Data:
    rates = RateTable.load()
    deals, unconvertible, priors = open_deals(user, scope, rates, as_of)
    counts, close_days, key = cached_closed_stays(scope)
    won, more = kept_won_deals(scope, rates, as_of, key)
    teams, started = owners(scope)
    return Data(
        as_of, deals, won, counts, close_days, priors, unconvertible + more, teams, started, key
    )


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
