"""Import jobs: upload, mapping, dry run, and the run itself, batch by batch.

Each batch of rows is one transaction, and the job's progress (`rows_done`) and
report are written in that same transaction: a batch is in the database with its
progress, or neither is. A run killed midway therefore resumes at the first row
of the batch it was in, and external ids keep even a run from row one from
creating anything twice. A row that cannot be imported is rejected on its own
(in a savepoint) with its row number, field and reason; the rest of its batch
goes in.

A dry run does all the same work, checks included, in one transaction that is
rolled back, and keeps only the report.
"""

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from lejek.accounts.models import User
from lejek.analytics import rebuild as analytics_rebuild
from lejek.automation import queue
from lejek.core import collector
from lejek.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from lejek.dataio import deal_writers, fast, fields, reading, set_aside, tuning, writers
from lejek.dataio.models import Duplicates, ImportFile, ImportJob, ImportKind, SavedMapping
from lejek.dataio.rows import Columns, RowError
from lejek.pipelines.models import Deal

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
BATCH = 1_000  # rows a batch, written row by row
# Rows a batch on the fast path: a batch's fixed work (looking up its deals, chaining their
# history, the commit) is spread over ten times the rows. 100,000 deals + 800,000 history
# rows took 15-20 % longer in batches of 1,000.
FAST_BATCH = 10_000
# A fast-path job this large (and at least half as large as the deals table) leaves the
# analytics summaries to one rebuild after its last batch: refreshing them batch by
# batch costs several times more than rebuilding them all once.
DEFER_SUMMARIES_FROM = 50_000
DEFERRED = "summaries_deferred"  # report key: the summaries are rebuilt when the job ends
# options["summaries"] = LATER: a deferring job leaves that rebuild to whoever comes next, for
# a deals import followed by their stage history, whose own rebuild covers both. Until then
# the feed catches the deals up (each new deal has its audit entry), so nothing is lost.
LATER = "later"
LEFT = "summaries_left"  # report key: the rebuild was left for later, as the options asked
MAX_LISTED = 10_000  # rejected and skipped rows listed in a report; all are counted

WRITERS: dict[str, Callable[[writers.Context, dict[str, Any]], writers.Outcome]] = {
    ImportKind.ORGANIZATION: writers.organization,
    ImportKind.PERSON: writers.person,
    ImportKind.LEAD: writers.lead,
    ImportKind.ACTIVITY: writers.activity,
    ImportKind.DEAL: deal_writers.deal,
    ImportKind.STAGE_HISTORY: deal_writers.stage_history,
}


def empty_report() -> dict[str, Any]:
    return {
        "rows": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
        "blank": 0,
        "errors": [],
        "skipped_rows": [],
    }


# --- setting a job up -----------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in ImportKind.values:
        raise ValidationFailed.field("kind", f"Unknown kind '{kind}'.")


def job_create(
    *,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    source: str = "import",
    duplicates: str = Duplicates.UPDATE,
    columns: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """A new job for an uploaded file, with the mapping suggested from its headers
    (or `columns`, header → field, when given)."""
    _check_kind(kind)
    if duplicates not in Duplicates.values:
        raise ValidationFailed.field("duplicates", "Choose skip, update or create.")
    header, rows_total = reading.scan(bytes(data), filename)
    suggested = fields.suggest(kind, header)
    if columns is not None:
        suggested = {h: columns.get(h, "") for h in header}
    apart = _kept_apart()
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            source=(source or "import").strip()[:50] or "import",
            filename=filename[:255],
            data=b"" if apart else data,
            columns=suggested,
            duplicates=duplicates,
            options=options or {},
            rows_total=rows_total,
            created_by=actor,
        )
        if apart:
            ImportFile.objects.create(job=job, data=data)
    return job


def job_configure(
    *,
    actor: User,
    job: ImportJob,
    columns: dict[str, str] | None = None,
    duplicates: str | None = None,
    source: str | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Change the mapping and choices of a job that has not started."""
    if job.status != ImportJob.Status.NEW or job.rows_done:
        raise Conflict("This import has started; its mapping can no longer change.")
    if columns is not None:
        job.columns = {h: columns.get(h, "") for h in job.columns}
    if duplicates is not None:
        if duplicates not in Duplicates.values:
            raise ValidationFailed.field("duplicates", "Choose skip, update or create.")
        job.duplicates = duplicates
    if source is not None:
        job.source = source.strip()[:50] or "import"
    if options is not None:
        job.options = options
    job.dry_run = None
    job.save(update_fields=["columns", "duplicates", "source", "options", "dry_run"])
    return job


def check_mapping(job: ImportJob) -> None:
    errors = fields.check(job.kind, job.columns)
    if errors:
        raise ValidationFailed("The column mapping is incomplete.", fields=errors)


def mapping_save(*, actor: User, name: str, kind: str, columns: dict[str, str]) -> SavedMapping:
    """Keep a mapping by name (replacing the actor's mapping of that name and kind)."""
    _check_kind(kind)
    name = name.strip()
    if not name:
        raise ValidationFailed.field("name", "Name the mapping.")
    unknown = [f for f in columns.values() if f and f not in fields.KINDS[kind].by_name]
    if unknown:
        raise ValidationFailed.field("columns", f"Unknown field '{unknown[0]}'.")
    found, _ = SavedMapping.objects.update_or_create(
        name=name, kind=kind, created_by=actor, defaults={"columns": columns}
    )
    return found


def mapping_apply(job: ImportJob, mapping: SavedMapping) -> dict[str, str]:
    """The saved mapping's fields for the job's headers (unknown headers by suggestion)."""
    if mapping.kind != job.kind:
        raise ValidationFailed.field("mapping", "That mapping is for another kind of record.")
    return {h: mapping.columns.get(h, field) for h, field in job.columns.items()}


def job_start(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the job for the background worker (it resumes a job that stopped midway)."""
    if job.status == ImportJob.Status.DONE:
        raise Conflict("This import is finished.")
    check_mapping(job)
    from lejek.dataio import tasks

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, error="")
    job.status = ImportJob.Status.QUEUED
    queue.enqueue_on_commit(tasks.run_import, job.pk)
    return job


def job_for(user: User, pk: int) -> ImportJob:
    """A job its creator (or an admin) may see."""
    qs = ImportJob.objects.all() if user.is_admin else ImportJob.objects.filter(created_by=user)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Import {pk} was not found.")
    return found


# --- running ---------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _prepare(job: ImportJob) -> tuple[reading.Records, Columns]:
    check_mapping(job)
    table = reading.read(_data(job), job.filename)
    columns = {h: f for h, f in job.columns.items() if f}
    records = reading.Records(table, columns), Columns.study(job.kind, table, columns)
    # The file's cells are millions of objects that live until the job ends: out of the
    # garbage collector's sight, its full collections stop growing with the file.
    gc.freeze()
    return records


def _collect_and_freeze() -> None:
    """Between batches: collect the cycles a batch left (its collections were paused), then
    move what survives out of the collector's sight, as `_prepare` does with the file.
    What a job keeps grows with it (a title and a deal id a row), and full collections
    walked all of it again and again: a million deals took 156 and 162 s, 136 s with
    no collection at all."""
    gc.collect()
    gc.freeze()


def _data(job: ImportJob) -> bytes:
    """The job's file: in its ImportFile (on SQLite), else in its row."""
    kept = ImportFile.objects.filter(job_id=job.pk).values_list("data", flat=True).first()
    if kept is None:
        kept = ImportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get()
    return bytes(kept)


def _kept_apart() -> bool:
    """Is a job's file kept out of its row, in an ImportFile? On SQLite (see `ImportFile`)."""
    return connection.vendor == "sqlite"


def _move_out(job: ImportJob) -> None:
    """Move a file still in its job's row (a job created before files were kept apart) into
    an ImportFile before the run rewrites the row batch after batch."""
    if not _kept_apart():
        return
    with transaction.atomic():
        if ImportFile.objects.filter(job_id=job.pk).exists():
            return
        data = ImportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get()
        ImportFile.objects.create(job_id=job.pk, data=data)
        ImportJob.objects.filter(pk=job.pk).update(data=b"")


@contextmanager
def _thawed_after() -> Iterator[None]:
    try:
        yield
    finally:
        gc.unfreeze()


def _context(job: ImportJob) -> writers.Context:
    return writers.Context(
        actor=job.created_by, source=job.source, duplicates=job.duplicates, options=job.options
    )


def dry_run(*, job: ImportJob, progress: Progress | None = None) -> dict[str, Any]:
    """Everything an import would do, rolled back; returns (and keeps) the report."""
    with _thawed_after():
        return _dry_run(job, progress)


def _dry_run(job: ImportJob, progress: Progress | None) -> dict[str, Any]:
    rows, columns = _prepare(job)
    report = empty_report()
    headers = _headers(job)
    try:
        with transaction.atomic():
            ctx = _context(job)
            # Nothing of a dry run is kept, summaries least of all.
            batch = _batcher(job, len(rows), defer=_defer(job, len(rows)))
            for start in range(0, len(rows), BATCH):
                batch(ctx, job.kind, columns, rows[start : start + BATCH], report, headers)
                if progress:
                    progress(min(start + BATCH, len(rows)), len(rows))
            raise _Rollback
    except _Rollback:
        pass
    ImportJob.objects.filter(pk=job.pk).update(dry_run=report)
    job.dry_run = report
    return report


def run(
    *, job_id: int, progress: Progress | None = None, batch_size: int | None = None
) -> ImportJob:
    """Import the job's rows from where it stopped; safe to call again at any time. Batches
    hold `batch_size` rows (by default BATCH, or FAST_BATCH on the fast path)."""
    with _thawed_after(), tuning.tuned():
        return _run(job_id, progress, batch_size)


def _run(job_id: int, progress: Progress | None, batch_size: int | None) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    try:
        rows, columns = _prepare(job)
    except DomainError as exc:
        return _fail(job, exc.message)
    _move_out(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        rows_total=len(rows),
        started_at=job.started_at or timezone.now(),
        error="",
    )
    ctx = _context(job)
    headers = _headers(job)
    defer = bool((job.report or {}).get(DEFERRED)) or (not job.rows_done and _defer(job, len(rows)))
    aside = defer and set_aside.wanted()
    batch = _batcher(job, len(rows), defer=defer, aside=aside)
    if batch_size is None:
        batch_size = FAST_BATCH if fast.wanted(job.kind, job.options, len(rows)) else BATCH
    start = job.rows_done
    started = time.perf_counter()
    try:
        while start < len(rows):
            end = min(start + batch_size, len(rows))
            with transaction.atomic(), collector.paused():
                locked = ImportJob.objects.select_for_update().defer("data").get(pk=job.pk)
                if locked.rows_done != start:
                    raise Conflict("Another run of this import is processing these rows.")
                report = locked.report or empty_report()
                if defer:
                    report[DEFERRED] = True
                if aside and start == 0 and set_aside.KEY not in report:
                    report[set_aside.KEY] = set_aside.drop(job.kind)
                batch(ctx, job.kind, columns, rows[start:end], report, headers)
                report["seconds"] = round(
                    report.get("seconds", 0) + time.perf_counter() - started, 2
                )
                started = time.perf_counter()
                ImportJob.objects.filter(pk=job.pk).update(rows_done=end, report=report)
            start = end
            _collect_and_freeze()
            if progress:
                progress(end, len(rows))
    except Conflict as exc:
        job.refresh_from_db()
        job.error = exc.message
        return job
    except Exception as exc:
        _fail(job, f"Stopped at rows {start + 2}–{min(start + batch_size, len(rows)) + 1}: {exc}")
        raise
    try:
        if _owes_rebuild(job):
            # The set-aside indexes are built while the rebuild's children compute.
            indexed, began = 0.0, time.perf_counter()
            analytics_rebuild.rebuild(meanwhile=lambda: _restore_in_transaction(job))
            rebuilt = time.perf_counter() - began
        else:
            indexed, rebuilt = _restore_indexes(job), 0.0
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().defer("data").get(pk=job.pk)
            report = locked.report or empty_report()
            report["seconds"] = round(report.get("seconds", 0) + indexed, 2)
            deferred = report.pop(DEFERRED, False)
            if deferred and job.options.get("summaries") == LATER:
                report[LEFT] = True
            elif deferred:
                report["seconds"] = round(report.get("seconds", 0) + rebuilt, 2)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, finished_at=timezone.now(), report=report
            )
    except Exception as exc:
        _fail(job, f"All rows are in; building the indexes or the summaries failed: {exc}")
        raise
    job.refresh_from_db()
    return job


def _restore_indexes(job: ImportJob) -> float:
    """Build the indexes the job set aside (`set_aside`) again, in a transaction that also
    clears their record in its report. Returns the seconds it took."""
    began = time.perf_counter()
    with transaction.atomic():
        _restore_in_transaction(job)
    return time.perf_counter() - began


def _restore_in_transaction(job: ImportJob) -> None:
    """`_restore_indexes` in the caller's transaction (the rebuild's, at the end of a job
    that owes one: its summaries and the indexes are then committed together)."""
    locked = ImportJob.objects.select_for_update().defer("data").get(pk=job.pk)
    report = locked.report or empty_report()
    if set_aside.restore(report):
        ImportJob.objects.filter(pk=job.pk).update(report=report)


def _owes_rebuild(job: ImportJob) -> bool:
    """Does the job owe the one rebuild of a deferring job, now that its rows are in? It is
    done in a transaction of its own before the job is marked done (so it may spread over
    CPUs; a run stopped in between rebuilds again, as the job still says it owes one)."""
    report = ImportJob.objects.filter(pk=job.pk).values_list("report", flat=True).get() or {}
    return bool(report.get(DEFERRED)) and job.options.get("summaries") != LATER


def _defer(job: ImportJob, rows: int) -> bool:
    """Leave the summaries to one rebuild at the end? For large fast-path jobs only."""
    if rows < DEFER_SUMMARIES_FROM or not fast.wanted(job.kind, job.options, rows):
        return False
    return rows * 2 >= Deal.objects.alive().count()


def _fail(job: ImportJob, message: str) -> ImportJob:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
    try:
        _restore_indexes(job)  # a failed job gives back the indexes it set aside
    except Exception:
        logger.exception("Import job %s: the indexes it set aside are still missing.", job.pk)
    job.refresh_from_db()
    return job


Batcher = Callable[
    [
        writers.Context,
        str,
        Columns,
        Sequence[tuple[int, dict[str, Any]]],
        dict[str, Any],
        dict[str, str],
    ],
    None,
]


def _batcher(job: ImportJob, rows: int, *, defer: bool = False, aside: bool = False) -> Batcher:
    """How the job's batches are written: row by row, or the fast path for large deal
    and stage-history imports (`fast`; the same records either way). With `defer`, the
    batches leave the analytics summaries alone (the caller rebuilds them); with `aside`,
    the indexes `set_aside` names are not there while they run."""
    if fast.wanted(job.kind, job.options, rows):
        caches = fast.Caches(time_order=not aside)

        def quick(ctx, kind, columns, batch, report, headers):  # type: ignore[no-untyped-def]
            fast.process(ctx, caches, kind, columns, batch, report, headers)
            fast.finish_batch(ctx, summaries=not defer)

        return quick

    def slow(ctx, kind, columns, batch, report, headers):  # type: ignore[no-untyped-def]
        _process(ctx, kind, columns, batch, report, headers)
        deal_writers.finish_batch(ctx)

    return slow


def _headers(job: ImportJob) -> dict[str, str]:
    return {f: h for h, f in job.columns.items() if f}


def _process(
    ctx: writers.Context,
    kind: str,
    columns: Columns,
    rows: Sequence[tuple[int, dict[str, Any]]],
    report: dict[str, Any],
    headers: dict[str, str],
) -> None:
    write = WRITERS[kind]
    for number, cells in rows:
        report["rows"] += 1
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            report["blank"] += 1
            continue
        values, errors = columns.convert(cells)
        if not errors:
            try:
                with transaction.atomic():
                    outcome = write(ctx, values)
            except RowError as exc:
                errors = [exc]
            except DomainError as exc:
                errors = _domain_errors(exc)
        if errors:
            rejected(report, number, errors, headers)
            continue
        report[outcome.action] += 1
        if outcome.action == writers.SKIPPED:
            _listed(report, "skipped_rows", {"row": number, "reason": outcome.reason})


def rejected(
    report: dict[str, Any], number: int, errors: list[RowError], headers: dict[str, str]
) -> None:
    """Count a rejected row and list its errors: row number, field, column and message."""
    report["rejected"] += 1
    for error in errors:
        _listed(report, "errors", {
            "row": number,
            "field": error.field,
            "column": headers.get(error.field, ""),
            "message": error.message,
        })  # fmt: skip


def _listed(report: dict[str, Any], key: str, entry: dict[str, Any]) -> None:
    if len(report[key]) < MAX_LISTED:
        report[key].append(entry)
    else:
        report[f"{key}_not_listed"] = report.get(f"{key}_not_listed", 0) + 1


def _domain_errors(exc: DomainError) -> list[RowError]:
    if not exc.fields:
        return [RowError("", exc.message)]
    return [
        RowError("" if name == "__all__" else name.removesuffix("_id"), " ".join(messages))
        for name, messages in exc.fields.items()
    ]


def import_file(
    *,
    actor: User,
    kind: str,
    path: str,
    source: str = "import",
    duplicates: str = Duplicates.UPDATE,
    columns: dict[str, str] | None = None,
    dry: bool = False,
    progress: Progress | None = None,
    batch_size: int | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """For the CLI: import (or dry-run) a file from disk in this process, reporting progress."""
    from pathlib import Path

    file = Path(path)
    job = job_create(
        actor=actor,
        kind=kind,
        filename=file.name,
        data=file.read_bytes(),
        source=source,
        duplicates=duplicates,
        columns=columns,
        options=options,
    )
    if dry:
        dry_run(job=job, progress=progress)
        return job
    return run(job_id=job.pk, progress=progress, batch_size=batch_size)
