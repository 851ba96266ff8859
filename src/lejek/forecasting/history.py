"""Replaying history: every deal as it stood on each of a list of past days.

Stage and status come from the append-only stage and status changes. Amount,
currency, expected close date, forecast category and committed amount/date come
from the audit log: a field changed on or after the day had, on that day, the old
value of its first such change. Deals imported without history look as they do
now (their audit log starts at the import). The stage's probability is today's:
stages keep no history of their probability.

Each deal is replayed on its own. From `PARALLEL_FROM` deals on, runs of deal ids are
replayed in forked children, each reading on its own connection, and merged in id order:
the same result as one pass (tested), without the parent rebuilding every open deal (they
stay packed until their day is read).
"""

import bisect
import datetime
import marshal
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast

from lejek.analytics.loaders import TextDays
from lejek.analytics.rates import RateTable
from lejek.core import forked
from lejek.core.models import AuditEntry
from lejek.forecasting import packed
from lejek.forecasting.gather import Scope, _owned
from lejek.forecasting.methods.common import OpenDeal, WonDeal
from lejek.forecasting.methods.winmodel import Counts, age_bin, amount_bin
from lejek.pipelines.models import Deal, Stage, StageChange, StatusChange

FIELDS = (
    "amount",
    "currency",
    "expected_close_date",
    "forecast_category",
    "committed_amount",
    "committed_date",
)
CHUNK = 2_000
PARALLEL_FROM = 100_000  # deals to replay: below, forking costs more than it saves
PIECES_PER_CPU = 4  # runs of ids per CPU, so that a slow run does not hold the rest up
# Timestamps are read as text and turned into local days by `TextDays` (see there).
TEXT = Cast("at", CharField())


@dataclass
class Replay:
    """What was known on each day: open deals, won deals so far, closed stays so far."""

    days: list[datetime.date]
    open: dict[datetime.date, list[OpenDeal]] = field(default_factory=lambda: defaultdict(list))
    # Each won deal once, by the day it was (last) won; run-rate and cycle read those before T.
    won: list[WonDeal] = field(default_factory=list)
    # Stays of deals closed in a month, by that month: add them up to train as of a day.
    stays: dict[datetime.date, Counts] = field(default_factory=lambda: defaultdict(Counts))
    # Won stays by close month and stage: (days in the stage, days from entering it to the win).
    close_days: dict[datetime.date, dict[int, list[tuple[int, int]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    actual: dict[datetime.date, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    unconvertible: int = 0
    # Open deals replayed in forked children, still packed, by day (see `merge`).
    packed_open: dict[datetime.date, list[bytes]] = field(default_factory=dict)
    packed_count: int = 0

    def open_on(self, day: datetime.date) -> list[OpenDeal]:
        """The deals open on `day`, as they stood then, in id order."""
        chunks = self.packed_open.pop(day, None)
        if chunks:
            found = self.open[day]
            for chunk in chunks:
                found.extend(packed.unpack_open(chunk))
        return self.open.get(day, [])

    def open_count(self) -> int:
        """Open deals over all the days (each deal once per day it was open)."""
        return sum(len(v) for v in self.open.values()) + self.packed_count


def _parse(name: str, text: str | None) -> Any:
    if text is None:
        return None
    if name in ("amount", "committed_amount"):
        return Decimal(text)
    if name in ("expected_close_date", "committed_date"):
        return datetime.date.fromisoformat(text[:10])
    return text


def _raw(qs: Any) -> Iterator[tuple[Any, ...]]:
    """The query's rows as the database driver returns them. Every column read here is an
    id, a code or text, so Django's per-row conversion (millions of rows) is not needed."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            yield from batch


def _date(text: str | None) -> datetime.date | None:
    return None if text is None else datetime.date.fromisoformat(text[:10])


def _grouped(qs: Any, key: str) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Rows ordered by `key` (the first column), grouped by it."""
    current: int | None = None
    batch: list[tuple[Any, ...]] = []
    for row in _raw(qs):
        if row[0] != current:
            if current is not None:
                yield current, batch
            current, batch = row[0], []
        batch.append(row)
    if current is not None:
        yield current, batch


def replay(scope: Scope, days: list[datetime.date]) -> Replay:
    result = Replay(sorted(set(days)))
    rates = RateTable.load()
    probability = dict(Stage.objects.values_list("pk", "probability"))
    last = max(days)
    deals = _owned(Deal.objects.alive(), scope).filter(
        created_at__lt=datetime.datetime.combine(last, datetime.time(), datetime.UTC)
        + datetime.timedelta(days=1)
    )
    ids = list(deals.order_by("id").values_list("id", flat=True))
    if len(ids) < PARALLEL_FROM:
        _replay_ids(result, deals, ids, rates, probability)
        return result
    # Each deal is replayed on its own, so runs of ids are replayed in forked children, each
    # reading its own (serially where children may not read); the parts, merged in id
    # order, are what one pass makes.
    size = -(-len(ids) // (forked.cpus() * PIECES_PER_CPU))
    pieces = [ids[start : start + size] for start in range(0, len(ids), size)]

    def piece(part: list[int]) -> Part:
        return _replay_part(result.days, deals, part, rates, probability)

    for part in forked.fork_imap(piece, pieces, readers=True):
        merge(result, part)
    return result


# What a child sends back: for each day, how many deals were open and those deals packed
# (see `packed`); its won deals packed; its stays and close times as marshalled plain values
# (months as ordinals); its actuals; its count of amounts left out.
type Part = tuple[
    list[tuple[datetime.date, int, bytes]], bytes, bytes, dict[datetime.date, Decimal], int
]


def _replay_part(
    days: list[datetime.date],
    deals: Any,
    ids: list[int],
    rates: RateTable,
    probability: dict[int, int],
) -> Part:
    done = Replay(days)
    _replay_ids(done, deals, ids, rates, probability)
    learned = (
        [(month.toordinal(), list(counts.cells.items())) for month, counts in done.stays.items()],
        [(month.toordinal(), list(by.items())) for month, by in done.close_days.items()],
    )
    return (
        [(day, len(found), packed.pack_open(found)) for day, found in done.open.items()],
        packed.pack_won(done.won),
        marshal.dumps(learned),
        dict(done.actual),
        done.unconvertible,
    )


def merge(result: Replay, part: Part) -> None:
    """Add the replay of the next run of deal ids. Lists are extended and dict keys added
    in the order met, so parts merged in id order equal one pass over all the ids. The open
    deals stay packed until their day is read (`Replay.open_on`): most are read only in the
    forked process that forecasts their month."""
    opened, won, learned, actual, unconvertible = part
    for day, count, deals in opened:
        result.packed_open.setdefault(day, []).append(deals)
        result.packed_count += count
    result.won.extend(packed.unpack_won(won))
    stays, close_days = marshal.loads(learned)  # noqa: S302 (from our own child)
    for month, cells in stays:
        into = result.stays[datetime.date.fromordinal(month)].cells
        for cell, (total, wins) in cells:
            entry = into[cell]
            entry[0] += total
            entry[1] += wins
    for month, by_stage in close_days:
        into_days = result.close_days[datetime.date.fromordinal(month)]
        for stage, values in by_stage:
            into_days[stage].extend(values)
    for month, value in actual.items():
        result.actual[month] += value
    result.unconvertible += unconvertible


def _replay_ids(
    result: Replay, deals: Any, ids: list[int], rates: RateTable, probability: dict[int, int]
) -> None:
    day_of = TextDays()
    for start in range(0, len(ids), CHUNK * 25):
        _replay_chunk(result, deals, ids[start : start + CHUNK * 25], rates, probability, day_of)


def _replay_chunk(
    result: Replay,
    deals: Any,
    ids: list[int],
    rates: RateTable,
    probability: dict[int, int],
    day_of: TextDays,
) -> None:
    low, high = ids[0], ids[-1]
    factors: dict[tuple[str, datetime.date], Decimal | None] = {}  # today's rate, by day
    moves = _grouped(
        StageChange.objects.filter(deal_id__gte=low, deal_id__lte=high)
        .annotate(at_text=TEXT)
        .order_by("deal_id", "at", "id")
        .values_list("deal_id", "to_stage_id", "at_text"),
        "deal_id",
    )
    statuses = _grouped(
        StatusChange.objects.filter(deal_id__gte=low, deal_id__lte=high)
        .annotate(at_text=TEXT)
        .order_by("deal_id", "at", "id")
        .annotate(amount_text=Cast("amount", CharField()))
        .values_list("deal_id", "to_status", "at_text", "amount_text", "currency"),
        "deal_id",
    )
    changes = _grouped(
        AuditEntry.objects.filter(
            entity_type="deal", entity_id__gte=low, entity_id__lte=high, field__in=FIELDS
        )
        .annotate(at_text=TEXT)
        .order_by("entity_id", "at", "id")
        .values_list("entity_id", "field", "old_value", "at_text"),
        "entity_id",
    )
    streams = {"moves": moves, "statuses": statuses, "changes": changes}
    pending: dict[str, tuple[int, list[tuple[Any, ...]]] | None] = {
        name: next(stream, None) for name, stream in streams.items()
    }
    rows = (
        deals.filter(id__gte=low, id__lte=high)
        .annotate(
            created_text=Cast("created_at", CharField()),
            # Amounts as text too: a Decimal is made only for the days a deal is open.
            amount_text=Cast("amount", CharField()),
            committed_text=Cast("committed_amount", CharField()),
            expected_text=Cast("expected_close_date", CharField()),
            committed_date_text=Cast("committed_date", CharField()),
        )
        .order_by("id")
        .values_list(
            "id",
            "owner_id",
            "pipeline_id",
            "created_text",
            "source",
            "amount_text",  # the FIELDS, in their order
            "currency",
            "expected_text",
            "forecast_category",
            "committed_text",
            "committed_date_text",
        )
    )
    for row in _raw(rows):
        pk = row[0]
        found: dict[str, list[tuple[Any, ...]]] = {}
        for name, stream in streams.items():
            item = pending[name]
            while item is not None and item[0] < pk:
                item = pending[name] = next(stream, None)
            found[name] = item[1] if item is not None and item[0] == pk else []
        _one_deal(result, row, found, rates, probability, day_of, factors)


# age_bin(d) for d = 0…90 days, looked up rather than bisected for millions of stays.
AGE_OF = [age_bin(d) for d in range(91)]
LAST_AGE = age_bin(10_000)


def _closed_stays(
    result: Replay,
    final: tuple[Any, ...],
    moves: list[tuple[int, datetime.date]],
    created: datetime.date,
    owner: int,
    pipeline: int,
    source: str,
    rates: RateTable,
) -> None:
    """A closed deal's stays (training data from its close month on), and its win."""
    status, closed, amount, currency = final
    won = status == Deal.Status.WON
    month = closed.replace(day=1)
    band = amount_bin(float(amount) if amount is not None else None)
    cells = result.stays[month].cells
    close_days = result.close_days[month] if won else None
    last = len(moves) - 1
    for index, (stage, entered) in enumerate(moves):
        if entered > closed:
            break
        left = moves[index + 1][1] if index < last else closed
        days = (min(left, closed) - entered).days
        days = days if days > 0 else 0
        entry = cells[(stage, AGE_OF[days] if days <= 90 else LAST_AGE, band, source, owner)]
        entry[0] += 1
        if close_days is not None:
            entry[1] += 1
            close_days[stage].append((days, (closed - entered).days))
    if not won:
        return
    factor = rates.today_factor(str(currency), closed)
    if factor is not None and amount is not None:
        value = Decimal(amount) * factor
        result.won.append(WonDeal(owner, pipeline, closed, value, (closed - created).days))
        result.actual[month] += value
    else:
        result.unconvertible += 1


def _one_deal(
    result: Replay,
    row: tuple[Any, ...],
    found: dict[str, list[tuple[Any, ...]]],
    rates: RateTable,
    probability: dict[int, int],
    day_of: TextDays,
    factors: dict[tuple[str, datetime.date], Decimal | None],
) -> None:
    pk, owner, pipeline, created_at, source, *current = row
    cache, convert, width = day_of.cache, day_of, day_of.width
    created = day_of(created_at)
    moves = [(stage, cache.get(at[:width]) or convert(at)) for _, stage, at in found["moves"]]
    statuses = [(status, day_of(at), amount, currency) for _, status, at, amount, currency
                in found["statuses"]]  # fmt: skip
    changes = [(name, old, day_of(at)) for _, name, old, at in found["changes"]]
    # Outcome and the stays that led to it, counted from the month the deal (last) closed.
    final = statuses[-1] if statuses else None
    if final is not None and final[0] in (Deal.Status.WON, Deal.Status.LOST):
        _closed_stays(result, final, moves, created, owner, pipeline, str(source), rates)
    # Only the days between creation and the final close can see the deal open: a deal
    # closed for good on day c is closed on every later day.
    first = bisect.bisect_right(result.days, created)
    last = len(result.days)
    if final is not None and final[0] in (Deal.Status.WON, Deal.Status.LOST):
        last = bisect.bisect_right(result.days, final[1])
    opened, open_status, make = result.open, Deal.Status.OPEN, tuple.__new__
    source = str(source)
    # Without changes of its own a deal's fields are the same on every day.
    plain = None if changes else (*current[:2], _date(current[2]), str(current[3]),
                                  current[4], _date(current[5]))  # fmt: skip
    # Moves and status changes are in time order, and so are the days: on each day, the
    # last move and the last status change before it are found by walking forward.
    moved = told = -1
    status = open_status
    for day in result.days[first:last]:
        while moved + 1 < len(moves) and moves[moved + 1][1] < day:
            moved += 1
        while told + 1 < len(statuses) and statuses[told + 1][1] < day:
            told += 1
            status = statuses[told][0]
        if moved < 0:
            continue  # not yet in any stage
        if status != open_status:
            continue
        stage, entered = moves[moved]
        if plain is None:
            values = dict(zip(FIELDS, current, strict=True))
            for name in ("expected_close_date", "committed_date"):
                values[name] = _date(values[name])
            for name, old, at in reversed(changes):  # the earliest change on/after the day wins
                if at >= day:
                    values[name] = _parse(name, old)
            amount, currency, expected, category, committed, committed_date = values.values()
            category = str(category)
        else:
            amount, currency, expected, category, committed, committed_date = plain
        key = (currency, day)
        factor = (
            factors[key]
            if key in factors
            else factors.setdefault(key, rates.today_factor(str(currency), day))
        )
        if factor is None:
            if amount is not None:
                result.unconvertible += 1
            continue
        opened[day].append(
            make(
                OpenDeal,
                (
                    pk,
                    owner,
                    pipeline,
                    stage,
                    probability.get(stage, 0),
                    None if amount is None else Decimal(amount) * factor,
                    created,
                    entered,
                    expected,
                    category,
                    None if committed is None else Decimal(committed) * factor,
                    committed_date,
                    source,
                ),
            )
        )
