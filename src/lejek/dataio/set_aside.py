"""Indexes set aside for the length of a large import, on SQLite.

A deal lands at a random place in most of the deals' indexes (by creation time, by
pipeline and status, by stage and entry time, ...), and a stage change in those by
stage and by pipeline: a million deals or eight million stage changes inserted in
batches rewrite index pages all over the file, batch after batch, and every commit
writes them out again. Building an index once from the finished table is one sort.

A job that large (as large as the table: the jobs that also leave the summaries to
one rebuild) drops these indexes in its first batch's transaction and records their
definitions in its report; when its last batch is in, they are built again from that
record, in one transaction that also clears it. A run killed midway leaves the record
behind: resuming the job builds them when it ends, and so does the job failing.
Queries stay correct without them, only slower, while the import runs.

Only indexes the imported rows land in at random are set aside, by name and by the
kind of job (`ASIDE`):
those ordered by a time (creation, entry into a stage, a change's moment) and the
deals' (pipeline, status, stage), which moving deals along their history rewrites.
An index that takes rows in the order they come (by deal, by actor, a constant
stage or status) costs little to keep up and more to build again, so it stays,
as do every unique index and those the import reads through.
"""

from typing import Any

from django.db import connection

from lejek.dataio.models import ImportKind

KEY = "indexes_set_aside"  # report key: {index name: its CREATE INDEX statement}
ASIDE: dict[str, tuple[str, ...]] = {
    ImportKind.DEAL: (
        "deal_created_id", "deal_pipe_status_created", "deal_open_forecast",
        "deal_stage_entered", "deal_pipe_status_stage", "stagechange_stage_at",
        "stagechange_pipeline_at", "statuschange_status_at",
    ),
    # A history import inserts stage changes and moves deals to their latest stage: of the
    # deals' indexes, only those holding the stage or its entry time change.
    ImportKind.STAGE_HISTORY: (
        "deal_open_forecast", "deal_stage_entered", "deal_pipe_status_stage",
        "stagechange_stage_at", "stagechange_pipeline_at",
    ),
}  # fmt: skip


def wanted() -> bool:
    return connection.vendor == "sqlite"


def drop(kind: str) -> dict[str, str]:
    """Drop the indexes a job of this kind sets aside (in the caller's transaction);
    returns their definitions."""
    names = ASIDE[kind]
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",  # noqa: S608
            names,
        )
        found = dict(cursor.fetchall())
        for name in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return found


def restore(report: dict[str, Any]) -> list[str]:
    """Build again the indexes `report` says were set aside, and clear that record (in the
    caller's transaction); returns their names. An index already there is left alone."""
    found = report.pop(KEY, None) or {}
    if not found:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        present = {name for (name,) in cursor.fetchall()}
        for name, sql in found.items():
            if name not in present:
                cursor.execute(sql)
    return sorted(found)
