"""Rebuilding every analytics summary and the rollup from the raw history.

Run by `manage.py rebuild_analytics` (also `lejek rebuild`, with a progress bar per step), at
the end of demo data generation, and after bulk loads that bypass the services.
It runs in one transaction: readers keep seeing the old summaries until it
commits, and on PostgreSQL writers wait for it (they all write audit entries,
whose table it holds a SHARE lock on). When that transaction is its own, the deal
summaries are computed in forked children reading on their own connections (`may_spread`).
"""

import itertools
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from lejek.activities.models import Activity
from lejek.analytics import closed_log, feed, inserts, loaders, rollups, summaries
from lejek.analytics.models import (
    ActivitySummary,
    DealStageSummary,
    DealSummary,
    LeadSummary,
    Rollup,
    SyncState,
)
from lejek.core import forked
from lejek.demo import bulk
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal

Progress = Callable[[str, int, int], None]
BATCH = 5_000


def rebuild(
    progress: Progress | None = None, meanwhile: Callable[[], object] | None = None
) -> dict[str, float]:
    """Throw the summaries away and compute them again; returns row counts and seconds.

    `meanwhile`: the caller's own work, done in the rebuild's transaction while the
    children compute the first deal summaries (an import builds the indexes it set aside:
    a CPU that would wait for the children does it instead)."""
    report = progress or (lambda step, done, total: None)
    started = time.perf_counter()
    counts: dict[str, float] = {}
    spread = may_spread()
    # No savepoint inside a caller's transaction: on SQLite a savepoint held over a
    # million inserts makes each statement's end walk its journal.
    with transaction.atomic(savepoint=False):
        latest = feed.latest_audit_id()
        layout = feed.current_layout()
        with connection.cursor() as cursor:
            for model in (Rollup, DealStageSummary, DealSummary, LeadSummary, ActivitySummary):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        ctx = loaders.Context.load()

        deal_ids = list(Deal.objects.alive().order_by("pk").values_list("pk", flat=True))
        chunks = [deal_ids[start : start + BATCH] for start in range(0, len(deal_ids), BATCH)]

        def summarized(ids: list[int]) -> tuple[Any, Any, int, int]:
            deals, stages = loaders.deal_summaries(ids, ctx, by_range=True)
            return (
                inserts.prepare(DealSummary, deals),
                inserts.prepare(DealStageSummary, stages),
                len(deals),
                len(stages),
            )

        counts["deals"] = counts["deal_stages"] = 0
        done = 0
        # The summaries are computed in forked children when the rebuild owns its
        # transaction: they read the deals and their history, which it has not written,
        # while this process inserts what they hand over.
        results = iter(
            forked.fork_imap(summarized, chunks, readers=True, reads_committed=True)
            if spread
            else map(summarized, chunks)
        )
        if meanwhile is not None:
            first = next(results, None)  # the children start on the first request
            meanwhile()
            if first is not None:
                results = itertools.chain([first], results)
        for chunk, (deal_rows, stage_rows, deals_done, stages_done) in zip(
            chunks, results, strict=True
        ):
            for prepared in (deal_rows, stage_rows):
                if prepared is not None:
                    bulk.insert_prepared(prepared)
            counts["deals"] += deals_done
            counts["deal_stages"] += stages_done
            done += len(chunk)
            report("deals", done, len(deal_ids))

        orgs = DealSummary.objects.filter(status="won", organization_id__isnull=False)
        org_ids = list(orgs.values_list("organization_id", flat=True).distinct())
        for start in range(0, len(org_ids), BATCH):
            summaries.mark_customers(org_ids[start : start + BATCH])
            report("customers", min(start + BATCH, len(org_ids)), len(org_ids))

        lead_ids = list(Lead.objects.alive().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(lead_ids), BATCH):
            inserts.insert(LeadSummary, loaders.lead_summaries(lead_ids[start : start + BATCH]))
            report("leads", min(start + BATCH, len(lead_ids)), len(lead_ids))
        counts["leads"] = len(lead_ids)

        activities = Activity.objects.alive().order_by("pk")
        total = activities.count()
        done, last = 0, 0
        while True:
            rows = list(
                activities.filter(pk__gt=last).values_list(*loaders.ACTIVITY_FIELDS)[:BATCH]
            )
            if not rows:
                break
            inserts.insert(ActivitySummary, loaders.activity_summaries(rows))
            last, done = rows[-1][0], done + len(rows)
            report("activities", done, total)
        counts["activities"] = done

        report("rollup", 0, 1)
        for table in (rollups.DEALS, rollups.STAGES, rollups.LEADS, rollups.ACTIVITIES):
            rollups.apply(table, "", [], 1, grains=[Rollup.Grain.FULL])
        rollups.derive_grains()
        counts["rollup_rows"] = Rollup.objects.count()
        report("rollup", 1, 1)

        closed_log.restart()
        found = SyncState.objects.order_by("pk").first() or SyncState()
        found.audit_id, found.layout, found.rebuilt_at = latest, layout, timezone.now()
        found.save()
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


def described(counts: dict[str, float]) -> str:
    """What `rebuild` returned, for a person: "12.3 s: deals 1,000, deal_stages 4,200, ..."."""
    rows = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "seconds")
    return f"{counts['seconds']} s: {rows}"


def may_spread() -> bool:
    """Whether the deal summaries may be computed in forked children: only when the
    rebuild's transaction is its own, so nothing the children read is left uncommitted
    (in a caller's transaction, the caller may have just written deals)."""
    return not transaction.get_connection().in_atomic_block
