"""The fast path's stage-history rows (see `fast`): planned in memory, checked against
the history already in the table, chained, and inserted as plain rows.

A history row is imported once: a row whose deal already has an imported change into
the same stage at the same time (from an earlier run, or earlier in the file) is
counted as unchanged, as the row-by-row writer does (`deal_writers.stage_history`).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection

from lejek.analytics import loaders
from lejek.dataio import deal_writers, fast, fields, writers
from lejek.dataio.models import ImportKind
from lejek.dataio.rows import Columns, RowError
from lejek.demo import bulk
from lejek.pipelines.models import Deal, Pipeline, StageChange

IMPORTED = StageChange.Reason.IMPORTED
MOVED = ("stage_id", "pipeline_id", "stage_entered_at")  # what moving a deal may write
CHANGE_COLUMNS = (
    "deal_id", "pipeline_id", "from_stage_id", "to_stage_id", "actor_id", "at", "reason", "note",
)  # fmt: skip


FIELDS = ("deal", "stage", "entered_at", "pipeline")


def process(
    ctx: writers.Context,
    caches: fast.Caches,
    columns: Columns,
    rows: Sequence[tuple[int, dict[str, Any]]],
    report: dict[str, Any],
    headers: dict[str, str],
) -> None:
    """One batch of stage-history rows, as `fast.process` does it, read by column.

    A row whose cells are plain text, none of the required ones blank and its time
    readable, is planned here from a few lookups (`_quick`): no dict of cells or of
    values, no call a row. Any other row, and any quick row a lookup cannot settle (an
    unknown deal or stage, a pipeline by name not met yet), goes through `Columns.read`
    and `plan` as before, in file order, so the records, the report and its messages
    are the same."""
    from lejek.dataio import importer

    batch = fast.Batch()
    entries = _entries(columns, rows)
    wanted = {e[1] for e in entries if e[0]}
    wanted |= {e[2]["deal"] for e in entries if not e[0] and not e[3] and e[2].get("deal")}
    known = caches.deal_ids  # `wanted - known.keys()` would go through all of `known`
    known.update(fast._links(ctx, ImportKind.DEAL, {w for w in wanted if w not in known}))
    deal_pipelines(ctx, caches, {known[w] for w in wanted if w in known})
    report["rows"] += len(entries)
    counts = {writers.CREATED: 0, writers.UNCHANGED: 0}
    for entry in entries:
        number = entry[-1]
        if entry[0]:
            action = _quick(ctx, caches, batch, entry)
            if action is not None:
                counts[action] += 1
                continue
            values: dict[str, Any] = {"deal": entry[1], "stage": entry[2], "entered_at": entry[3]}
            if entry[4] is not None:
                values["pipeline"] = entry[4]
            errors: list[RowError] = []
        else:
            _, blank, values, errors, _ = entry
            if blank:
                report["blank"] += 1
                continue
        if not errors:
            try:
                counts[plan(ctx, caches, batch, values)] += 1
                continue
            except RowError as exc:
                errors = [exc]
        importer.rejected(report, number, errors, headers)
    imported_before = settle_batch(ctx, batch, time_order=caches.time_order)
    report[writers.CREATED] += counts[writers.CREATED] - imported_before
    report[writers.UNCHANGED] += counts[writers.UNCHANGED] + imported_before
    fast._flush(ctx, batch)


def _entries(columns: Columns, rows: Sequence[tuple[int, dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """Each row as (True, deal, stage, entered at, pipeline or None, number) when its cells
    read at once, else (False, blank, values, errors, number) as `Columns.read` gives them."""
    raw = getattr(rows, "raw", None)
    at_index = {f: i for i, f in getattr(rows, "columns", ())}
    if raw is None or any(f not in FIELDS for f in at_index) or len(at_index) < 3:
        return [(False, *columns.read(cells), number) for number, cells in rows]
    record = rows.records.record  # type: ignore[attr-defined]
    deal_i, stage_i, at_i = at_index["deal"], at_index["stage"], at_index["entered_at"]
    pipeline_i = at_index.get("pipeline")
    width = max(at_index.values()) + 1
    entered_at = fields.KINDS[columns.kind].by_name["entered_at"]
    read_time = columns.cached  # the times `Columns.read` read too, each text once
    entries: list[tuple[Any, ...]] = []
    for number, cells in raw:
        if len(cells) >= width:
            deal, stage, at = cells[deal_i], cells[stage_i], cells[at_i]
            pipeline = cells[pipeline_i] if pipeline_i is not None else ""
            if (
                deal.__class__ is str and stage.__class__ is str and at.__class__ is str
                and pipeline.__class__ is str and at.strip()
            ):  # fmt: skip
                moment = read_time(entered_at, at)
                deal, stage = deal.strip(), stage.strip()
                if moment.__class__ is datetime.datetime and deal and stage:
                    pipeline = pipeline.strip() or None
                    entries.append((True, deal, stage, moment, pipeline, number))
                    continue
        entries.append((False, *columns.read(record(number, cells)[1]), number))
    return entries


def _quick(
    ctx: writers.Context, caches: fast.Caches, batch: fast.Batch, entry: tuple[Any, ...]
) -> str | None:
    """`plan` for a row read at once, from the caches alone; None when they cannot tell
    (the caller then asks `plan`, which learns what is missing or words the error)."""
    _, external, stage_name, at, pipeline_name, _ = entry
    deal_id = caches.deal_ids.get(external)
    if deal_id is None:
        return None
    pipeline_id = caches.deal_pipelines.get(deal_id)
    if pipeline_id is None:
        return None
    if pipeline_name is not None:
        found = caches.pipelines.get(pipeline_name)
        if found is None:
            return None
        pipeline_id = found.pk
    stage = caches.stages.get((pipeline_id, stage_name))
    if stage is None:
        return None
    return _add(ctx, batch, deal_id, pipeline_id, stage.pk, at)


def plan(
    ctx: writers.Context, caches: fast.Caches, batch: fast.Batch, values: dict[str, Any]
) -> str:
    external = values["deal"]
    deal_id = caches.deal_ids.get(external)
    if deal_id is not None and deal_id not in caches.deal_pipelines:
        deal_pipelines(ctx, caches, {deal_id})
        if deal_id not in caches.deal_pipelines:
            deal_id = None  # deleted, or not the actor's to see
    if deal_id is None:
        raise RowError("deal", f"No deal imported from '{ctx.source}' with the id '{external}'.")
    if values.get("pipeline"):
        pipeline = fast._pipeline(ctx, caches, values["pipeline"])
    else:
        pipeline = _pipeline_by_id(caches, caches.deal_pipelines[deal_id])
    stage = fast._stage(caches, pipeline, values["stage"])
    if stage is None:
        raise RowError("stage", f"No stage '{values['stage']}' in the pipeline '{pipeline.name}'.")
    return _add(ctx, batch, deal_id, pipeline.pk, stage.pk, values["entered_at"])


def _add(
    ctx: writers.Context,
    batch: fast.Batch,
    deal_id: int,
    pipeline_id: int,
    stage_id: int,
    at: datetime.datetime,
) -> str:
    """The batch's new stage change, unless the batch has it already (same deal, stage and
    time): created or unchanged."""
    key = (deal_id, stage_id, at)
    if key in batch.history_keys:
        return writers.UNCHANGED
    batch.history_keys[key] = len(batch.changes)
    batch.changes.append({
        "deal_id": deal_id, "pipeline_id": pipeline_id, "to_stage_id": stage_id,
        "actor_id": ctx.actor.id, "at": at, "reason": IMPORTED, "note": "",
    })  # fmt: skip
    ctx.history_deals.add(deal_id)
    return writers.CREATED


def deal_pipelines(ctx: writers.Context, caches: fast.Caches, deal_ids: set[int]) -> None:
    """Learn the pipelines of the visible deals among `deal_ids`: ids close together (a
    batch of a file sorted by deal, as exports are) by their range in one query, others a
    chunk at a query. The ORM prepares each value of an IN list on its own, which cost more
    than the queries (5 s for 1,000,000 deals)."""
    wanted = sorted(pk for pk in deal_ids if pk not in caches.deal_pipelines)
    visible = Deal.objects.visible_to(ctx.actor)
    if wanted and wanted[-1] - wanted[0] < 2 * len(wanted):
        found = visible.filter(pk__gte=wanted[0], pk__lte=wanted[-1])
        keep = set(wanted)
        caches.deal_pipelines.update(
            (pk, pipeline) for pk, pipeline in found.values_list("pk", "pipeline_id") if pk in keep
        )
        return
    for start in range(0, len(wanted), 500):
        found = visible.filter(pk__in=wanted[start : start + 500])
        caches.deal_pipelines.update(found.values_list("pk", "pipeline_id"))


def _pipeline_by_id(caches: fast.Caches, pk: int) -> Pipeline:
    found = caches.pipelines_by_id.get(pk)
    if found is None:
        found = caches.pipelines_by_id[pk] = Pipeline.objects.get(pk=pk)
    return found


def settle_batch(ctx: writers.Context, batch: fast.Batch, *, time_order: bool = True) -> int:
    """Number the batch's new stage changes, leave out those imported before, and chain
    the rest into their deals' history; returns how many were left out.

    With `time_order` they are numbered in time order within their pipeline, not in file
    order: the indexes on (pipeline, time) and (stage, time) then take a batch as a few
    ascending runs instead of at random, which halves the insert on SQLite (5.4 against
    11 µs a row at 2.4 million rows). A job that set those indexes aside (`set_aside`)
    has no use for it and keeps the file's order. The sort is stable, so a deal's changes
    at the same moment keep their file order, which is all the chain takes from the ids."""
    if time_order:
        batch.changes.sort(key=_pipeline_time)
    ids = bulk.reserve_ids(StageChange, len(batch.changes))
    for change, pk in zip(batch.changes, ids, strict=True):
        change["id"] = pk
    return _chain_pending(ctx, batch)


def _pipeline_time(change: dict[str, Any]) -> tuple[int, datetime.datetime]:
    return change["pipeline_id"], change["at"]


def _chain_pending(ctx: writers.Context, batch: fast.Batch) -> int:
    """Chain the batch's new history before it is inserted: each new row gets its
    `from_stage_id` in memory, so only the rows already in the table are read and
    updated (`settle` after the insert would read and update every row). A new row
    the table already holds (imported before: same deal, stage and time) is dropped;
    returns how many were."""
    pending: dict[int, list[dict[str, Any]]] = {}
    for change in batch.changes:
        pending.setdefault(change["deal_id"], []).append(change)
    ids = sorted(pending)
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        known |= settle(ids[start : start + 500], pending)
    if known:
        batch.changes = [c for c in batch.changes if c["id"] not in known]
    ctx.history_deals.difference_update(ids)
    ctx.touched_deals.update(ids)
    return len(known)


def settle(deal_ids: list[int], pending: dict[int, list[dict[str, Any]]] | None = None) -> set[int]:
    """Chain the deals' imported history and put each deal in its latest stage; `pending`
    holds new rows by deal, not inserted yet (their `from_stage_id` is set here). Returns
    the ids of the pending rows imported before, left out of the chain."""
    imported = StageChange.Reason.IMPORTED
    table = connection.ops.quote_name(StageChange._meta.db_table)
    marks = ", ".join(["%s"] * len(deal_ids))
    # Plain SQL: the ORM prepares each of an IN list's values on its own, which cost more
    # than these queries themselves (500 ids a query, 2,000 queries for a million deals).
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE deal_id IN ({marks}) AND reason = %s AND note = %s",  # noqa: S608
            [*deal_ids, imported, deal_writers.PLACEHOLDER],
        )
    rows = loaders.raw_rows(
        "SELECT id, deal_id, reason, from_stage_id, to_stage_id, pipeline_id, "  # noqa: S608
        f"{loaders.as_text('at')} FROM {table} WHERE deal_id IN ({marks}) ORDER BY deal_id, at, id",
        deal_ids,
        when=6,
    )
    # per deal: (at, id, reason, from stage, to stage, pipeline, the new row or None)
    history: dict[int, list[tuple[Any, ...]]] = {}
    before_now: set[tuple[int, int, Any]] = set()  # imported (deal, stage, time) in the table
    for pk, deal_id, reason, from_stage, to_stage, pipeline_id, at in rows:
        history.setdefault(deal_id, []).append(
            (at, pk, reason, from_stage, to_stage, pipeline_id, None)
        )
        if reason == imported:
            before_now.add((deal_id, to_stage, at))
    known: set[int] = set()
    for deal_id in deal_ids:
        new = (pending or {}).get(deal_id)
        if new:
            found = history.setdefault(deal_id, [])
            for c in new:
                if (deal_id, c["to_stage_id"], c["at"]) in before_now:
                    known.add(c["id"])
                else:
                    found.append((c["at"], c["id"], c["reason"], None, c["to_stage_id"],
                                  c["pipeline_id"], c))  # fmt: skip
            found.sort(key=lambda entry: (entry[0], entry[1]))
    chained: list[tuple[int | None, int]] = []
    latest: dict[int, tuple[int, int, datetime.datetime]] = {}
    for deal_id, entries in history.items():
        before: int | None = None
        for at, pk, reason, from_stage, to_stage, pipeline_id, change in entries:
            if change is not None:
                change["from_stage_id"] = before
            elif reason == imported and from_stage != before:
                chained.append((before, pk))
            before = to_stage
            latest[deal_id] = (to_stage, pipeline_id, at)
    with connection.cursor() as cursor:
        if chained:
            cursor.executemany(
                f"UPDATE {table} SET from_stage_id = %s WHERE id = %s",  # noqa: S608
                chained,
            )
    _move_deals(latest)
    return known


def _move_deals(latest: dict[int, tuple[int, int, datetime.datetime]]) -> None:
    """Put each deal in its latest stage (`latest`: deal → stage, pipeline, entered at),
    writing only the columns that change: setting one to its own value would still
    rewrite every index holding it (the pipeline leads two of the deals' indexes, and a
    move within the pipeline is the rule)."""
    quote = connection.ops.quote_name
    column = {name: quote(str(Deal._meta.get_field(name).column)) for name in MOVED}  # type: ignore[union-attr]
    adapt = bulk.remembered(connection.ops.adapt_datetimefield_value, by_value=True)  # repeat
    moves: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    deals = quote(Deal._meta.db_table)
    ids = list(latest)
    current = loaders.raw_rows(
        f"SELECT id, {column['stage_id']}, {column['pipeline_id']}, "  # noqa: S608
        f"{loaders.as_text(column['stage_entered_at'])} FROM {deals} "
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
        ids,
        when=3,
    )
    for pk, stage_id, pipeline_id, entered in current:
        to_stage, to_pipeline, at = latest[pk]
        changed: dict[str, Any] = {}
        if stage_id != to_stage:
            changed["stage_id"] = to_stage
        if pipeline_id != to_pipeline:
            changed["pipeline_id"] = to_pipeline
        if entered != at:
            changed["stage_entered_at"] = adapt(at)
        if changed:
            moves.setdefault(tuple(changed), []).append((*changed.values(), pk))
    with connection.cursor() as cursor:
        for names, rows in moves.items():
            sets = ", ".join(f"{column[name]} = %s" for name in names)
            cursor.executemany(
                f"UPDATE {deals} SET {sets}, version = version + 1 WHERE id = %s",  # noqa: S608
                rows,
            )


def insert_changes(rows: list[dict[str, Any]]) -> None:
    """INSERT stage changes as plain tuples on SQLite, many a statement (their times as the
    naive UTC text Django stores, each distinct time converted once); elsewhere
    `bulk.insert_rows`."""
    if not rows:
        return
    if connection.vendor != "sqlite":
        bulk.insert_rows(StageChange, rows)
        return
    names = (("id",) if "id" in rows[0] else ()) + CHANGE_COLUMNS
    zone = connection.timezone  # UTC unless the database settings name another zone
    texts: dict[datetime.datetime, str] = {}
    values = []
    head = names[:-3]
    for row in rows:
        at = row["at"]
        text = texts.get(at)
        if text is None:
            text = texts[at] = str(at.astimezone(zone).replace(tzinfo=None))
        values.append((*map(row.get, head), text, row["reason"], row["note"]))  # map: in C
    column_of = {f.attname: str(f.column) for f in StageChange._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_of[n]) for n in names)
    table = quote(StageChange._meta.db_table)
    with connection.cursor() as cursor:
        bulk.insert_values(cursor, table, columns, values)
