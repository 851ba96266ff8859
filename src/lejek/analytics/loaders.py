"""Reading raw records in batches and turning them into summary rows (no writes here)."""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.conf import settings
from django.db import connection

from lejek.activities.models import Activity
from lejek.analytics import facts
from lejek.analytics.rates import RateTable
from lejek.demo import bulk
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Stage, StageChange, StatusChange

TOUCH_KINDS = (Activity.Kind.EMAIL, Activity.Kind.CALL)
OUTBOUND = Activity.Direction.OUTBOUND


@lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@lru_cache(maxsize=65_536)
def _local_day(hour: datetime.datetime, zone: str) -> datetime.date:
    return hour.astimezone(_zone(zone)).date()


@lru_cache(maxsize=4)
def _whole_hours(zone: str) -> bool:
    """Whether the zone's offsets from UTC, since 1970, are whole hours (most zones; not
    India's +5:30, Nepal's +5:45 or Newfoundland's -3:30). Every offset in use since then
    is a multiple of a quarter of an hour."""
    found = _zone(zone)
    hour = datetime.timedelta(hours=1)
    return all(
        (datetime.datetime(year, month, 1, 12, tzinfo=datetime.UTC).astimezone(found).utcoffset()
         or datetime.timedelta(0)) % hour == datetime.timedelta(0)
        for year in range(1970, 2051)
        for month in (1, 4, 7, 10)
    )  # fmt: skip


def day_key_length() -> int:
    """How much of a UTC timestamp's text (`YYYY-MM-DD HH:MM…`) decides its local day in the
    site's zone: up to the hour where offsets are whole hours, up to the minute elsewhere."""
    return 13 if _whole_hours(settings.TIME_ZONE) else 16


def local_date(moment: datetime.datetime) -> datetime.date:
    """The calendar day in the site's time zone (not the request's), so rows never differ.

    Offsets change on the hour at most and are multiples of a quarter of an hour, so the
    day is cached per UTC hour (per quarter of an hour in zones such as India's), and
    per moment too: a rebuild asks again for the same moments (a stay's end is the next
    one's start), and a lookup costs a third of finding the hour.
    """
    return _day_of(moment, settings.TIME_ZONE)


@lru_cache(maxsize=100_000)
def _day_of(moment: datetime.datetime, zone: str) -> datetime.date:
    utc = moment.astimezone(datetime.UTC)
    minute = 0 if _whole_hours(zone) else utc.minute - utc.minute % 15
    return _local_day(utc.replace(minute=minute, second=0, microsecond=0), zone)


class TextDays:
    """`local_date` of UTC timestamps read as text, as SQLite stores them and PostgreSQL
    prints them in the UTC sessions Django opens (`YYYY-MM-DD HH:MM:SS…`).

    Reading millions of timestamps as text and converting each hour once is several
    times faster than letting the database adapter build a datetime for every row.
    """

    def __init__(self) -> None:
        self.cache: dict[str, datetime.date] = {}  # by the text's first `width` characters
        self.width = day_key_length()

    def __call__(self, text: str) -> datetime.date:
        key = text[: self.width]
        found = self.cache.get(key)
        if found is None:
            minute = int(key[14:16]) if self.width > 13 else 0
            moment = datetime.datetime(
                int(key[0:4]), int(key[5:7]), int(key[8:10]), int(key[11:13]), minute,
                tzinfo=datetime.UTC,
            )  # fmt: skip
            found = self.cache[key] = local_date(moment)
        return found


def month_of(moment: datetime.datetime) -> datetime.date:
    return local_date(moment).replace(day=1)


@dataclass
class Context:
    """What every batch needs: current stage orders and the exchange rates."""

    stage_orders: dict[int, tuple[int, int]]  # active stages only
    stage_pipelines: dict[int, int]  # every stage, removed ones too
    rates: RateTable

    @classmethod
    def load(cls) -> "Context":
        orders, pipelines = {}, {}
        for pk, pipeline_id, order, removed_at in Stage.objects.values_list(
            "pk", "pipeline_id", "order", "removed_at"
        ):
            pipelines[pk] = pipeline_id
            if removed_at is None:
                orders[pk] = (pipeline_id, order)
        return cls(stage_orders=orders, stage_pipelines=pipelines, rates=RateTable.load())


Row = dict[str, Any]


def deal_summaries(
    ids: Sequence[int], ctx: Context, *, by_range: bool = False
) -> tuple[list[Row], list[Row]]:
    """Summary rows of the live deals among `ids` (deal, stage stays), from their history.

    `by_range` (for the rebuild, whose batches are runs of ascending ids) reads the
    history of every deal from the lowest to the highest id, which the indexes serve
    much faster than a long IN list.
    """
    if not ids:
        return [], []
    if by_range:
        where, params = "BETWEEN %s AND %s", [min(ids), max(ids)]
    else:
        where, params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    deals = _deal_rows(where, params)
    live = [d.id for d in deals]
    if not live:
        return [], []
    if by_range:
        low, high = min(live), max(live)
        where, params = "BETWEEN %s AND %s", [low, high]
        history: dict[str, Any] = {"deal_id__gte": low, "deal_id__lte": high}
    else:
        where, params = f"IN ({', '.join(['%s'] * len(live))})", live
        history = {"deal_id__in": live}
    stage_events: dict[int, list[facts.StageEvent]] = defaultdict(list)
    event = facts.StageEvent
    moments: dict[Any, datetime.datetime] = {}  # as `raw_rows`, inline: 8 rows a deal
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT deal_id, to_stage_id, {as_text('at')} FROM {StageChange._meta.db_table} "  # noqa: S608
            f"WHERE deal_id {where} ORDER BY deal_id, at, id",
            params,
        )
        for deal_id, to_stage_id, text in cursor.fetchall():
            at = moments.get(text)
            if at is None:  # text on SQLite (see `as_text`), a datetime elsewhere
                at = moments[text] = _utc(text) if text.__class__ is str else text
            stage_events[deal_id].append(event(to_stage_id, at))
    status_events: dict[int, list[facts.StatusEvent]] = defaultdict(list)
    for deal_id, to_status, amount, currency, at in _plain_rows(
        StatusChange,
        ("deal_id", "to_status", "amount", "currency", "at"),
        f"WHERE deal_id {where} ORDER BY deal_id, at, id",
        params,
    ):
        status_events[deal_id].append(facts.StatusEvent(to_status, at, amount, currency))
    touches: dict[int, list[datetime.datetime]] = defaultdict(list)
    for deal_id, done_at in _touches(history):
        touches[deal_id].append(done_at)
    summaries, stages = [], []
    for deal in deals:
        result = facts.deal_facts(
            deal,
            stage_events[deal.id],
            status_events[deal.id],
            stage_orders=ctx.stage_orders,
            touches=facts.Touches(tuple(touches[deal.id])),
            month=month_of,
            local_date=local_date,
            rate_from=ctx.rates.rate_from,
            reporting_currency=ctx.rates.reporting,
        )
        summaries.append(result.summary)
        stages += [_stage_row(deal, stay, ctx) for stay in result.stages]
    return summaries, stages


DEAL_COLUMNS = (
    "id", "pipeline_id", "owner_id", "organization_id", "lead_id", "source", "stage_id",
    "amount", "currency", "contract_years", "created_at",
)  # fmt: skip


def _deal_rows(where: str, params: Sequence[Any]) -> list[facts.DealRow]:
    """The live deals whose id is `where` (an SQL condition on it) as `facts.DealRow`s, by id.

    Plain SQL: the ORM's row building and per-value converters cost more than the query
    (12 of the rebuild's 136 CPU-seconds at a million deals)."""
    quote = connection.ops.quote_name
    rows = _plain_rows(
        Deal,
        DEAL_COLUMNS,
        f"WHERE {quote('id')} {where} AND {quote('deleted_at')} IS NULL ORDER BY {quote('id')}",
        params,
    )
    return [facts.DealRow(*row) for row in rows]


def _plain_rows(
    model: Any, names: Sequence[str], tail: str, params: Sequence[Any]
) -> list[Sequence[Any]]:
    """`names` (the last one a datetime) of `model`'s rows, read by plain SQL with `tail`
    (WHERE ... ORDER BY ...), with the values the ORM would give: the datetime as
    `raw_rows` reads it, decimals through the backend's own converters, each distinct
    value once."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    columns = [quote(str(f.column)) for f in fields]
    columns[-1] = as_text(columns[-1])
    rows: list[Sequence[Any]] = cast(
        list[Sequence[Any]],
        raw_rows(
            f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} {tail}",  # noqa: S608
            params,
            when=len(names) - 1,
        ),
    )
    convert = {
        i: found
        for i, field in enumerate(fields)
        if field.get_internal_type() == "DecimalField"
        and (found := bulk.from_db(field, meta.db_table)) is not None
    }
    if not convert:
        return rows
    seen: dict[int, dict[Any, Any]] = {i: {} for i in convert}
    found_rows: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for i, converter in convert.items():
            raw = values[i]
            if raw is not None:
                known = seen[i].get(raw)
                if known is None:
                    known = seen[i][raw] = converter(raw)
                values[i] = known
        found_rows.append(values)
    return found_rows


def as_text(column: str) -> str:
    """A datetime column as SQLite stores it, naive UTC text: a column read as it is, the
    driver parses each value in C but calls Django's parser in Python for it (1.5 µs a
    value, and a rebuild reads millions); `raw_rows` parses each distinct text once."""
    return f"CAST({column} AS TEXT)" if connection.vendor == "sqlite" else column


def raw_rows(sql: str, params: Sequence[Any], when: int) -> list[tuple[Any, ...]]:
    """Rows of a raw query whose column `when` is a datetime (naive UTC text on SQLite:
    see `as_text`).

    Skips the ORM's per-value converters, which cost more than the query on big batches.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor != "sqlite":
        return rows
    # Each distinct text is parsed once: history rows share their moments (a change and the
    # status change it caused, imported rows at noon of a day). Inline rather than through
    # `bulk.remembered`, whose call a row made the summary work 4 % slower.
    moments: dict[Any, datetime.datetime] = {}
    found = []
    for row in rows:
        text = row[when]
        moment = moments.get(text)
        if moment is None:
            moment = moments[text] = _utc(text)
        found.append((*row[:when], moment, *row[when + 1 :]))
    return found


def _utc(value: Any) -> datetime.datetime:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _touches(lookup: dict[str, Any]) -> list[tuple[int, datetime.datetime]]:
    """(deal or lead id, done at) of done outbound emails and calls on these records.

    Filtered in Python: given the kind in SQL, SQLite prefers the (kind, done_at)
    index and reads every email instead of the few activities of these records.
    """
    column = next(iter(lookup)).split("__")[0]
    rows = (
        Activity.objects.alive()
        .filter(**lookup)
        .values_list(column, "done_at", "kind", "direction")
    )
    return [
        (pk, done_at)
        for pk, done_at, kind, direction in rows
        if done_at is not None and kind in TOUCH_KINDS and direction == OUTBOUND
    ]


def _stage_row(deal: facts.DealRow, stay: facts.StageStay, ctx: Context) -> Row:
    return {
        "deal_id": deal.id,
        "stage_id": stay.stage_id,
        "pipeline_id": ctx.stage_pipelines.get(stay.stage_id, 0),
        "owner_id": deal.owner_id,
        "source": deal.source,
        "first_reached_at": stay.first_reached_at,
        "left_at": stay.left_at,
        "left_month": month_of(stay.left_at) if stay.left_at else None,
        "seconds": stay.seconds,
        "visits": stay.visits,
    }


def lead_summaries(ids: Sequence[int]) -> list[Row]:
    rows = list(
        Lead.objects.filter(pk__in=ids, deleted_at__isnull=True).values_list(
            "pk", "owner_id", "source", "created_at"
        )
    )
    first: dict[int, datetime.datetime] = {}
    for lead_id, done_at in _touches({"lead_id__in": [r[0] for r in rows]}):
        if lead_id not in first or done_at < first[lead_id]:
            first[lead_id] = done_at
    result = []
    for pk, owner_id, source, created_at in rows:
        touch = first.get(pk)
        result.append(
            {
                "lead_id": pk,
                "owner_id": owner_id,
                "source": source,
                "created_month": month_of(created_at),
                "first_touch_month": month_of(touch) if touch else None,
                "response_seconds": (
                    max(0, int((touch - created_at).total_seconds())) if touch else None
                ),
            }
        )
    return result


ACTIVITY_FIELDS = (
    "pk",
    "owner_id",
    "deal_id",
    "lead_id",
    "created_at",
    "done_at",
    "kind",
    "direction",
    "is_reply",
    "is_positive",
    "duration_minutes",
)


def activity_summaries(rows: Iterable[tuple[Any, ...]]) -> list[Row]:
    """Summaries of live activities given as ACTIVITY_FIELDS tuples."""
    rows = list(rows)
    deal_ids = {r[2] for r in rows if r[2] is not None}
    lead_ids = {r[3] for r in rows if r[3] is not None}
    deals = {
        pk: (pipeline_id, source)
        for pk, pipeline_id, source in Deal.objects.filter(pk__in=deal_ids).values_list(
            "pk", "pipeline_id", "source"
        )
    }
    leads = dict(Lead.objects.filter(pk__in=lead_ids).values_list("pk", "source"))
    result = []
    for pk, owner_id, deal_id, lead_id, created_at, done_at, kind, direction, *rest in rows:
        is_reply, is_positive, minutes = rest
        pipeline_id, source = deals.get(deal_id, (0, "")) if deal_id else (0, "")
        if lead_id and not deal_id:
            source = leads.get(lead_id, "")
        result.append(
            {
                "activity_id": pk,
                "owner_id": owner_id,
                "deal_id": deal_id,
                "lead_id": lead_id,
                "pipeline_id": pipeline_id,
                "source": source,
                "created_month": month_of(created_at),
                "done_month": month_of(done_at) if done_at else None,
                "kind": kind,
                "direction": direction,
                "is_reply": is_reply,
                "is_positive": is_positive,
                "minutes": (minutes or 0) if done_at else 0,
            }
        )
    return result
