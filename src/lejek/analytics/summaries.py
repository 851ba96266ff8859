"""Keeping the analytics summaries in step with the raw history, record by record.

Every function here recomputes the summaries of some records from their raw
history and moves the rollup by the difference, inside the caller's
transaction. The deal services call `refresh_deals` in the transaction of
every move, close, reopen, creation and deletion; changes made elsewhere
(activities, leads, plain deal edits, stage layout) are followed from the audit
log by `feed.catch_up`. Calling any of these twice changes nothing.
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, transaction

from lejek.activities.models import Activity
from lejek.analytics import calc, closed_log, inserts, loaders, rollups
from lejek.analytics.models import (
    NONE_DATE,
    ActivitySummary,
    DealStageSummary,
    DealSummary,
    ExchangeRate,
    LeadSummary,
)
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal

CHUNK = 500


def _chunks(ids: Iterable[int | None], size: int = CHUNK) -> Iterator[list[int]]:
    unique = sorted({int(i) for i in ids if i is not None})
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def _in(column: str, ids: Sequence[int]) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(ids))})"


def _lock(model: Any, ids: Sequence[int]) -> None:
    """Serialise refreshes of the same records (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        list(model.objects.select_for_update().filter(pk__in=ids).values_list("pk"))


def refresh_deals(deal_ids: Iterable[int | None], ctx: loaders.Context | None = None) -> None:
    """Recompute these deals' summaries (deleted deals lose theirs) and move the rollup."""
    ctx = ctx or loaders.Context.load()
    for chunk in _chunks(deal_ids):
        with transaction.atomic():
            _refresh_deal_chunk(chunk, ctx)


def _refresh_deal_chunk(ids: list[int], ctx: loaders.Context) -> None:
    _lock(Deal, ids)
    before: dict[int, tuple[int, str]] = {}
    orgs: set[int | None] = set()
    closed = False  # was or is any of these deals closed? (`closed_log`)
    for pk, pipeline_id, source, org_id, status in DealSummary.objects.filter(
        deal_id__in=ids
    ).values_list("deal_id", "pipeline_id", "source", "organization_id", "status"):
        before[pk] = (pipeline_id, source)
        orgs.add(org_id)
        closed = closed or status != Deal.Status.OPEN
    where = _in("deal_id", ids)
    delta = rollups.Delta()
    delta.subtract(rollups.DEALS, where, ids)
    delta.subtract(rollups.STAGES, where, ids)
    DealStageSummary.objects.filter(deal_id__in=ids).delete()
    DealSummary.objects.filter(deal_id__in=ids).delete()
    summaries, stages = loaders.deal_summaries(ids, ctx)
    inserts.insert(DealSummary, summaries)
    inserts.insert(DealStageSummary, stages)
    delta.add(rollups.DEALS, where, ids)
    delta.add(rollups.STAGES, where, ids)
    after = {s["deal_id"]: (s["pipeline_id"], s["source"]) for s in summaries}
    _customers(orgs | {s["organization_id"] for s in summaries}, delta)
    # Activities carry their deal's pipeline and source: follow a change of either.
    moved = [pk for pk in set(before) | set(after) if before.get(pk) != after.get(pk)]
    if moved:
        _refresh_activity_rows(_activities_of(deal_ids=moved), delta)
    delta.write()
    if closed or any(s["status"] != Deal.Status.OPEN for s in summaries):
        closed_log.note()


def refresh_customers(org_ids: Iterable[int | None]) -> None:
    """Mark each customer account's first won deal with the account's lifetime in days.

    A customer account is an organization with a won deal; its lifetime runs from its
    first to its last won deal, and counts as at least one year (calc.lifetime_days).
    """
    delta = rollups.Delta()
    _customers(org_ids, delta)
    delta.write()


def _customers(org_ids: Iterable[int | None], delta: rollups.Delta) -> None:
    for chunk in _chunks(org_ids):
        changes = _customer_changes(chunk)
        if changes:
            changed = sorted(changes)
            where = _in("deal_id", changed)
            delta.subtract(rollups.DEALS, where, changed, kinds=["customer"])
            _write_customer_days(changes)
            delta.add(rollups.DEALS, where, changed, kinds=["customer"])


def mark_customers(org_ids: Iterable[int | None]) -> None:
    """As refresh_customers, leaving the rollup alone (the rebuild sums it afterwards)."""
    for chunk in _chunks(org_ids, 5_000):
        _write_customer_days(_customer_changes(chunk))


def _customer_changes(org_ids: Sequence[int]) -> dict[int, int | None]:
    first: dict[int, tuple[datetime.datetime, int]] = {}
    span: dict[int, tuple[datetime.date, datetime.date]] = {}
    for pk, org_id, closed_at, closed_date in DealSummary.objects.filter(
        status="won", organization_id__in=org_ids
    ).values_list("deal_id", "organization_id", "closed_at", "closed_date"):
        # Won deals always have a close and an organization here (filtered above).
        assert org_id is not None and closed_at is not None and closed_date is not None
        if org_id not in first or (closed_at, pk) < first[org_id]:
            first[org_id] = (closed_at, pk)
        low, high = span.get(org_id, (closed_date, closed_date))
        span[org_id] = (min(low, closed_date), max(high, closed_date))
    wanted: dict[int, int | None] = {}
    for org_id, (_, pk) in first.items():
        low, high = span[org_id]
        wanted[pk] = calc.lifetime_days(0, (high - low).days)
    # Only won deals carry customer_days (a refreshed summary starts without), and saying
    # so lets the (status, organization) index find them.
    current = dict(
        DealSummary.objects.filter(
            status="won", organization_id__in=org_ids, customer_days__isnull=False
        ).values_list("deal_id", "customer_days")
    )
    return {
        pk: wanted.get(pk) for pk in set(wanted) | set(current) if wanted.get(pk) != current.get(pk)
    }


def _write_customer_days(changes: dict[int, int | None]) -> None:
    by_value: dict[int | None, list[int]] = {}
    for pk, days in changes.items():
        by_value.setdefault(days, []).append(pk)
    for days, pks in by_value.items():
        for chunk in _chunks(pks):
            DealSummary.objects.filter(deal_id__in=chunk).update(customer_days=days)


def refresh_leads(lead_ids: Iterable[int | None]) -> None:
    """Recompute these leads' summaries (new leads, first contact, response time)."""
    for chunk in _chunks(lead_ids):
        with transaction.atomic():
            _lock(Lead, chunk)
            before = dict(
                LeadSummary.objects.filter(lead_id__in=chunk).values_list("lead_id", "source")
            )
            where = _in("lead_id", chunk)
            delta = rollups.Delta()
            delta.subtract(rollups.LEADS, where, chunk)
            LeadSummary.objects.filter(lead_id__in=chunk).delete()
            rows = loaders.lead_summaries(chunk)
            inserts.insert(LeadSummary, rows)
            delta.add(rollups.LEADS, where, chunk)
            after = {r["lead_id"]: r["source"] for r in rows}
            changed = [pk for pk in set(before) | set(after) if before.get(pk) != after.get(pk)]
            if changed:
                _refresh_activity_rows(_activities_of(lead_ids=changed), delta)
            delta.write()


def refresh_activities(activity_ids: Iterable[int | None]) -> None:
    """Recompute these activities' summaries, then the deals and leads they count for."""
    touched_deals: set[int] = set()
    touched_leads: set[int] = set()
    for chunk in _chunks(activity_ids):
        with transaction.atomic():
            delta = rollups.Delta()
            deals, leads = _refresh_activity_rows(chunk, delta)
            delta.write()
        touched_deals |= deals
        touched_leads |= leads
    # Outbound touches feed the deals' follow-up counts and the leads' response times.
    refresh_deals(touched_deals)
    refresh_leads(touched_leads)


def _activities_of(*, deal_ids: Sequence[int] = (), lead_ids: Sequence[int] = ()) -> list[int]:
    ids = set(
        ActivitySummary.objects.filter(deal_id__in=deal_ids).values_list("pk", flat=True)
    ) | set(ActivitySummary.objects.filter(lead_id__in=lead_ids).values_list("pk", flat=True))
    ids |= set(Activity.objects.filter(deal_id__in=deal_ids).values_list("pk", flat=True))
    ids |= set(Activity.objects.filter(lead_id__in=lead_ids).values_list("pk", flat=True))
    return sorted(ids)


def _refresh_activity_rows(ids: Sequence[int], delta: rollups.Delta) -> tuple[set[int], set[int]]:
    """Refresh activity summaries only; returns the deals and leads linked before or after."""
    deals: set[int | None] = set()
    leads: set[int | None] = set()
    for chunk in _chunks(ids):
        _lock(Activity, chunk)
        for deal_id, lead_id in ActivitySummary.objects.filter(pk__in=chunk).values_list(
            "deal_id", "lead_id"
        ):
            deals.add(deal_id)
            leads.add(lead_id)
        where = _in("activity_id", chunk)
        delta.subtract(rollups.ACTIVITIES, where, chunk)
        ActivitySummary.objects.filter(pk__in=chunk).delete()
        rows = loaders.activity_summaries(
            Activity.objects.alive().filter(pk__in=chunk).values_list(*loaders.ACTIVITY_FIELDS)
        )
        inserts.insert(ActivitySummary, rows)
        delta.add(rollups.ACTIVITIES, where, chunk)
        deals |= {r["deal_id"] for r in rows}
        leads |= {r["lead_id"] for r in rows}
    return {d for d in deals if d is not None}, {lead for lead in leads if lead is not None}


def stage_removed(*, pipeline_id: int, deal_ids: Sequence[int]) -> None:
    """A stage was removed: its deals moved, and the remaining stages were renumbered."""
    refresh_deals(deal_ids)
    relayout(pipeline_id)


def relayout(pipeline_id: int) -> None:
    """Stage orders of a pipeline changed: find every deal's furthest stage again.

    Reached-stage counts use the current order, so after a reorder a deal that was
    in the stage now placed last has reached every stage before it.
    """
    where = "pipeline_id = %s"
    with transaction.atomic():
        rollups.apply(rollups.DEALS, where, [pipeline_id], -1, kinds=["cohort"])
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE analytics_dealsummary SET furthest_stage_id = COALESCE((
                    SELECT s.id FROM analytics_dealstagesummary ds
                    JOIN pipelines_stage s ON s.id = ds.stage_id
                    WHERE ds.deal_id = analytics_dealsummary.deal_id
                      AND s.pipeline_id = analytics_dealsummary.pipeline_id
                      AND s.removed_at IS NULL
                    ORDER BY s."order" DESC, s.id ASC LIMIT 1), 0)
                WHERE pipeline_id = %s
                """,
                [pipeline_id],
            )
        rollups.apply(rollups.DEALS, where, [pipeline_id], 1, kinds=["cohort"])


def rekey_rates(*, currency: str, since: datetime.date) -> None:
    """The rate in force changed for closed deals of `currency` from `since` on: re-key them.

    Set-based, because one new rate can cover a large share of all closed deals.
    """
    scope = "currency = %s AND status <> 'open' AND closed_date >= %s"
    params = [currency, since]
    starts = sorted(
        ExchangeRate.objects.filter(currency=currency).values_list("valid_from", flat=True)
    )
    with transaction.atomic():
        rollups.apply(rollups.DEALS, scope, params, -1, kinds=["closed"])
        closed = DealSummary.objects.filter(currency=currency, closed_date__gte=since).exclude(
            status="open"
        )
        bounds = [NONE_DATE, *starts]
        for index, start in enumerate(bounds):
            rows = closed.filter(amount_cents__isnull=False, closed_date__gte=start)
            if index + 1 < len(bounds):
                rows = rows.filter(closed_date__lt=bounds[index + 1])
            rows.update(rate_from=start)
        closed.filter(amount_cents__isnull=True).update(rate_from=NONE_DATE)
        closed_log.note()
        rollups.apply(rollups.DEALS, scope, params, 1, kinds=["closed"])
