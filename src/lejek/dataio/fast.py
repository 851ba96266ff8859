"""The fast path for large imports of deals and deal stage history.

The row-by-row path writes each row through the services in a savepoint: about a
dozen queries a row. Here a batch's new records are planned in memory and inserted
together (many rows per INSERT on SQLite, COPY on PostgreSQL, as the demo loader does),
with the same rows the services would write: the deal, its audit entry, its
placeholder stage change and status change, its external id; a stage-history row's
stage change (`fast_history`). Then the batch's history is chained in bulk and its
deals' analytics summaries refreshed, as after a row-by-row batch (or, for a job as
large as the table, rebuilt once when it ends: `importer`).

A row is only taken here when the slow path would certainly create a record from
it with no side effect elsewhere: same checks, same messages, in the same order.
Any other row (an update of a record already imported, a duplicate by title and
organization, an organization still to be created, ...) goes through the slow
writer, in file order, after the fast rows before it are inserted. So both paths
give the same records, and the batch is still one transaction.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.analytics import summaries as analytics_summaries
from lejek.core.errors import Forbidden
from lejek.core.models import AuditEntry
from lejek.dataio import deal_writers, writers
from lejek.dataio.models import Duplicates, ExternalId, ImportKind
from lejek.dataio.rows import Columns, RowError
from lejek.demo import bulk
from lejek.leads.models import Source
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange, StatusChange

KINDS = (ImportKind.DEAL, ImportKind.STAGE_HISTORY)
FROM_ROWS = 2_000  # imports this large take the fast path unless options say "fast": false
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
CHECKED = ("title", "amount", "currency", "expected_close_date", "lost_reason", "source")
AMOUNT_LIMIT = Decimal(10) ** 14  # Deal.amount: 16 digits, 2 of them after the point


def wanted(kind: str, options: dict[str, Any], rows: int) -> bool:
    if kind not in KINDS:
        return False
    choice = options.get("fast")
    return bool(choice) if choice is not None else rows >= FROM_ROWS


def folder() -> Callable[[str], str]:
    """How the database's case-insensitive comparison (`iexact`) sees a title, decided
    once per import: asking the connection for its vendor costs more than the folding,
    and a large import folds a title a row."""
    if connection.vendor == "sqlite":
        return lambda text: text.translate(ASCII_LOWER)  # SQLite's LIKE folds ASCII only
    if connection.vendor == "postgresql":
        return str.upper
    return str.lower


@dataclass
class Caches:
    """Lookups shared by every batch of one run."""

    pipelines: dict[str | None, Pipeline] = field(default_factory=dict)
    stages: dict[tuple[int, str], Stage | None] = field(default_factory=dict)
    statuses: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    organizations: dict[str, int] = field(default_factory=dict)
    owners: dict[int | None, Any] = field(default_factory=dict)
    titles: dict[tuple[str, int | None], int] | None = None  # (folded title, org) → deal id
    pipelines_by_id: dict[int, Pipeline] = field(default_factory=dict)
    deal_pipelines: dict[int, int] = field(default_factory=dict)
    deal_ids: dict[str, int] = field(default_factory=dict)
    reserved: dict[Any, list[int]] = field(default_factory=dict)
    vendor: str = field(default_factory=lambda: connection.vendor)
    fold: Callable[[str], str] = field(default_factory=folder)
    valid: dict[tuple[str, Any], bool] = field(default_factory=dict)  # (field, value) → clean?
    time_order: bool = True  # number new stage changes in time order (`settle_batch`)

    def title_index(self, ctx: writers.Context) -> dict[tuple[str, int | None], int]:
        if self.titles is None:
            self.titles = {}
            query = Deal.objects.visible_to(ctx.actor).order_by("-pk")
            for pk, title, org in query.values_list("pk", "title", "organization_id").iterator(
                chunk_size=10_000
            ):
                self.titles[(self.fold(title), org)] = pk  # the lowest pk wins, as `.first()`
        return self.titles


class _Slow(Exception):
    """This row goes through the slow writer."""


@dataclass
class Batch:
    deals: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    externals: set[str] = field(default_factory=set)
    known: dict[str, int] = field(default_factory=dict)
    history_keys: dict[tuple[int, int, Any], int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.deals or self.changes)


def process(
    ctx: writers.Context,
    caches: Caches,
    kind: str,
    columns: Columns,
    rows: Sequence[tuple[int, dict[str, Any]]],
    report: dict[str, Any],
    headers: dict[str, str],
) -> None:
    """One batch, as `importer._process` does it, with the new records inserted in bulk."""
    from lejek.dataio import fast_history, importer

    if kind == ImportKind.STAGE_HISTORY:
        fast_history.process(ctx, caches, columns, rows, report, headers)
        return
    batch = Batch()
    converted = []
    for number, cells in rows:
        converted.append((number, cells, *columns.read(cells)))
    wanted_ids = {
        v["external_id"] for *_, v, e in converted if v and not e and v.get("external_id")
    }
    batch.known = _links(ctx, ImportKind.DEAL, wanted_ids)
    for number, cells, blank, values, errors in converted:
        report["rows"] += 1
        if blank:
            report["blank"] += 1
            continue
        if not errors:
            try:
                report[_plan_deal(ctx, caches, batch, values)] += 1
                continue
            except RowError as exc:
                errors = [exc]
            except _Slow:
                _flush(ctx, batch)
                report["rows"] -= 1  # counted again by the slow path
                importer._process(ctx, kind, columns, [(number, cells)], report, headers)
                _learn(ctx, caches, kind, values)
                if values.get("external_id"):
                    batch.externals.add(values["external_id"])
                continue
        importer.rejected(report, number, errors, headers)
    _flush(ctx, batch)


def _learn(ctx: writers.Context, caches: Caches, kind: str, values: dict[str, Any]) -> None:
    """After a slow row: what it created that later fast rows must know about."""
    if kind != ImportKind.DEAL or caches.titles is None:
        return
    external = values.get("external_id")
    link = ctx.linked(ImportKind.DEAL, external) if external else None
    found = Deal.objects.filter(pk=link.record_id) if link else None
    if found is None:
        found = Deal.objects.visible_to(ctx.actor).filter(title=values.get("title", ""))
    for pk, title, org in found.values_list("pk", "title", "organization_id"):
        key = (caches.fold(title), org)
        caches.titles[key] = min(pk, caches.titles.get(key, pk))
    caches.organizations.clear()  # the slow row may have created one


def _links(ctx: writers.Context, kind: str, external_ids: set[str]) -> dict[str, int]:
    """External id → record id of those imported before from the job's source. Plain SQL:
    the ORM prepares each value of an IN list on its own, which cost more than the query."""
    found: dict[str, int] = {}
    ordered = sorted(external_ids)
    meta = ExternalId._meta
    column = {f.attname: connection.ops.quote_name(str(f.column)) for f in meta.concrete_fields}
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            cursor.execute(
                f"SELECT {column['external_id']}, {column['record_id']} FROM {table} "  # noqa: S608
                f"WHERE {column['kind']} = %s AND {column['source']} = %s "
                f"AND {column['external_id']} IN ({', '.join(['%s'] * len(chunk))})",
                [kind, ctx.source, *chunk],
            )
            found.update(cursor.fetchall())
    return found


# --- deals ---------------------------------------------------------------------------------


def _pipeline(ctx: writers.Context, caches: Caches, name: str | None) -> Pipeline:
    if name not in caches.pipelines:
        caches.pipelines[name] = deal_writers._pipeline(ctx, name)
    return caches.pipelines[name]


def _stage(caches: Caches, pipeline: Pipeline, name: str) -> Stage | None:
    key = (pipeline.pk, name)
    if key not in caches.stages:
        caches.stages[key] = deal_writers._stage(pipeline, name)
    return caches.stages[key]


def _organization(ctx: writers.Context, caches: Caches, name: str | None) -> int | None:
    if not name:
        return None
    if name not in caches.organizations:
        try:
            found = ctx.organization(name, create=False)
        except RowError as exc:
            raise _Slow from exc  # the slow writer creates it
        assert found is not None
        caches.organizations[name] = found.pk
    return caches.organizations[name]


def _owner(ctx: writers.Context, caches: Caches, owner_id: int | None) -> Any:
    if owner_id not in caches.owners:
        try:
            caches.owners[owner_id] = access.assignable_owner(actor=ctx.actor, owner_id=owner_id)
        except Forbidden as exc:
            caches.owners[owner_id] = RowError("owner", exc.message)
    found = caches.owners[owner_id]
    if isinstance(found, RowError):
        raise found
    return found


def _valid(caches: Caches, plain: dict[str, Any]) -> bool:
    """Would `records.create` (full_clean) accept these fields? If not, the slow path
    rejects the row with its messages. Values that repeat (currencies, dates, sources)
    are judged once, and a plain amount without asking the field (`_plain_amount`)."""
    for name in CHECKED:
        if name not in plain:
            continue
        value = plain[name]
        if name == "amount" and _plain_amount(value):
            continue
        # Titles hardly repeat, and equal amounts can differ in decimal places (1E+2, 100.000).
        remembered = name not in ("title", "amount")
        key = (name, value)
        found = caches.valid.get(key) if remembered else None
        if found is None:
            try:
                Deal._meta.get_field(name).clean(value, None)  # type: ignore[union-attr]
                found = True
            except ValidationError:
                found = False
            if remembered and len(caches.valid) < 100_000:
                caches.valid[key] = found
        if not found:
            return False
    return True


def _plain_amount(value: Any) -> bool:
    """An amount the field certainly accepts: a finite Decimal below 10**14 with at most
    two decimal places and no positive exponent (what `parse_decimal` gives)."""
    if type(value) is not Decimal or not value.is_finite():
        return False
    exponent = value.as_tuple().exponent  # an int, the value being finite
    if not isinstance(exponent, int) or not -2 <= exponent <= 0:
        return False
    return -AMOUNT_LIMIT < value < AMOUNT_LIMIT


def _plan_deal(ctx: writers.Context, caches: Caches, batch: Batch, values: dict[str, Any]) -> str:
    if "stage" in values and ctx.options.get("pipeline_id") is None and not values.get("stage"):
        raise _Slow
    pipeline = _pipeline(ctx, caches, values.get("pipeline"))
    stage, status = _stage_and_status(caches, pipeline, values)
    amount, currency = deal_writers._amount(values)
    org_id = _organization(ctx, caches, values.get("organization"))
    owner = _owner(ctx, caches, ctx.owner_id(values.get("owner")))
    closed_at = values.get("closed_at")
    if status != "open" and closed_at is None:
        if "expected_close_date" not in values:
            raise RowError("closed_at", f"A {status} deal needs the date it was {status}.")
        closed_at = writers.noon(values["expected_close_date"])
    plain: dict[str, Any] = {"title": values["title"]}
    for name in ("expected_close_date", "lost_reason"):
        if name in values:
            plain[name] = values[name]
    if amount is not None:
        plain["amount"] = amount
    plain["currency"] = currency or writers.default_currency()
    if "source" in values:
        plain["source"] = writers.choice(Source, values["source"], "source", {"web": "web_form"})
    external = values.get("external_id")
    if external is not None and (external in batch.externals or external in batch.known):
        raise _Slow  # imported before: an update
    titles = caches.title_index(ctx)
    key = (caches.fold(values["title"]), org_id)
    if ctx.duplicates != Duplicates.CREATE and key in titles:
        raise _Slow  # a duplicate by title and organization
    if not _valid(caches, plain):
        raise _Slow  # the slow path words every field's message

    now = timezone.now()
    actor_id = ctx.actor.pk
    created_at = values.get("created_at") or now
    deal_id = _next_id(caches, Deal, batch.deals)
    row = {
        **plain,
        "id": deal_id,
        "owner_id": (owner or ctx.actor).pk,
        "organization_id": org_id,
        "pipeline_id": pipeline.pk,
        "stage_id": stage.pk,
        "status": status,
        "closed_at": closed_at if status != "open" else None,
        "created_at": created_at,
        "updated_at": now,
        "stage_entered_at": created_at,
    }
    batch.deals.append(row)
    batch.audits.append({
        "entity_type": "deal", "entity_id": deal_id, "action": AuditEntry.Action.CREATED,
        "actor_id": actor_id, "note": "", "at": now,
    })  # fmt: skip
    batch.changes.append({
        "deal_id": deal_id, "pipeline_id": pipeline.pk, "to_stage_id": stage.pk,
        "actor_id": actor_id, "at": created_at, "reason": StageChange.Reason.IMPORTED,
        "note": deal_writers.PLACEHOLDER,
    })  # fmt: skip
    if status != "open":
        batch.statuses.append({
            "deal_id": deal_id, "from_status": "open", "to_status": status,
            "stage_id": stage.pk, "amount": row.get("amount"), "currency": row["currency"],
            "lost_reason": row.get("lost_reason", "") if status == "lost" else "",
            "actor_id": actor_id, "at": closed_at or now,
        })  # fmt: skip
    if external is not None:
        batch.externals.add(external)
        batch.links.append({
            "kind": ImportKind.DEAL, "source": ctx.source, "external_id": external,
            "record_id": deal_id, "created_at": now,
        })  # fmt: skip
    titles.setdefault(key, deal_id)
    caches.deal_pipelines[deal_id] = pipeline.pk
    ctx.touched_deals.add(deal_id)
    return writers.CREATED


def _stage_and_status(
    caches: Caches, pipeline: Pipeline, values: dict[str, Any]
) -> tuple[Stage, str]:
    key = (pipeline.pk, "\0status", values.get("stage", ""), values.get("status", ""))
    found = caches.statuses.get(key)
    if found is None:
        try:
            found = deal_writers._stage_and_status(pipeline, values)
        except RowError as exc:
            found = exc
        caches.statuses[key] = found
    if isinstance(found, RowError):
        raise found
    return found  # type: ignore[no-any-return]


# --- writing ---------------------------------------------------------------------------------


def _next_id(caches: Caches, model: Any, pending: list[dict[str, Any]]) -> int:
    """An id for a new row: from the table's sequence on PostgreSQL (a thousand at a
    time); elsewhere above the highest, confirmed free when inserting."""
    if caches.vendor == "postgresql":
        ids = caches.reserved.setdefault(model, [])
        if not ids:
            ids.extend(reversed(bulk.reserve_ids(model, 1_000)))
        return ids.pop()
    if pending:
        return int(pending[-1]["id"]) + 1
    return bulk.reserve_ids(model, 1)[0]


def _flush(ctx: writers.Context, batch: Batch) -> None:
    from lejek.dataio import fast_history

    if not batch:
        return
    with transaction.atomic(savepoint=False):
        for model, rows in ((Deal, batch.deals), (StageChange, batch.changes)):
            if rows and "id" in rows[0] and not bulk.ids_free(model, [rows[0]["id"]]):
                raise RuntimeError(f"Ids of {model.__name__} were taken during the import.")
        bulk.insert_rows(Deal, batch.deals)
        bulk.insert_rows(AuditEntry, batch.audits)
        fast_history.insert_changes(batch.changes)
        bulk.insert_rows(StatusChange, batch.statuses)
        bulk.insert_rows(ExternalId, batch.links)
    for name in ("deals", "audits", "changes", "statuses", "links"):
        getattr(batch, name).clear()
    batch.externals.clear()
    batch.history_keys.clear()


def finish_batch(ctx: writers.Context, *, summaries: bool = True) -> None:
    """Chain the touched deals' imported history in bulk, then refresh their summaries
    (what `deal_writers.finish_batch` does deal by deal). Without `summaries`, the
    caller rebuilds every summary once the whole job is in."""
    from lejek.dataio import fast_history

    ids = sorted(ctx.history_deals)
    for start in range(0, len(ids), 500):
        fast_history.settle(ids[start : start + 500])
    ctx.touched_deals.update(ids)
    ctx.history_deals.clear()
    if not summaries:
        ctx.touched_deals.clear()
    if ctx.touched_deals:
        analytics_summaries.refresh_deals(sorted(ctx.touched_deals))
        ctx.touched_deals.clear()
