"""Following changes made outside the deal services, through the append-only audit log.

Activities, leads and plain deal edits (owner, source, amount) are written by
their own apps, and every such write leaves an audit entry. Before metrics are
read, `catch_up` refreshes the summaries of every record with an entry newer
than the last one followed. Stage orders are compared with the ones the
summaries were built with, and a pipeline whose stages moved is re-laid out.

Entries written by a transaction that has not committed yet must not be
skipped: on PostgreSQL the newest entry id is read under a SHARE lock on the
audit table, which waits for every open writer to commit; on SQLite there is
only ever one writer, so the newest committed id is already final.
"""

from django.db import connection, transaction
from django.db.models import Max

from lejek.analytics import summaries
from lejek.analytics.models import SyncState
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Stage

FOLLOWED = ("deal", "lead", "activity")


def state() -> SyncState:
    found = SyncState.objects.order_by("pk").first()
    return found or SyncState.objects.create()


def current_layout() -> dict[str, list[list[int]]]:
    """Active stages per pipeline as [stage id, order] pairs (JSON-friendly keys)."""
    layout: dict[str, list[list[int]]] = {}
    for pk, pipeline_id, order in (
        Stage.objects.active()
        .order_by("pipeline_id", "order", "pk")
        .values_list("pk", "pipeline_id", "order")
    ):
        layout.setdefault(str(pipeline_id), []).append([pk, order])
    return layout


def latest_audit_id() -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {AuditEntry._meta.db_table} IN SHARE MODE")
        return AuditEntry.objects.aggregate(top=Max("pk"))["top"] or 0


def catch_up() -> int:
    """Bring the summaries up to date; returns how many records were refreshed."""
    current = state()
    layout = current_layout()
    latest = AuditEntry.objects.aggregate(top=Max("pk"))["top"] or 0
    if layout == current.layout and latest <= current.audit_id:
        return 0  # the common case: two cheap reads, no write
    refreshed = 0
    if layout != current.layout:
        for pipeline_id, stages in layout.items():
            if current.layout.get(pipeline_id) != stages:
                summaries.relayout(int(pipeline_id))
        SyncState.objects.filter(pk=current.pk).update(layout=layout)
    if latest > current.audit_id:
        latest = latest_audit_id()
        changed: dict[str, set[int]] = {kind: set() for kind in FOLLOWED}
        for kind, entity_id in (
            AuditEntry.objects.filter(
                pk__gt=current.audit_id, pk__lte=latest, entity_type__in=FOLLOWED
            )
            .values_list("entity_type", "entity_id")
            .distinct()
        ):
            changed[kind].add(entity_id)
        summaries.refresh_activities(changed["activity"])
        summaries.refresh_leads(changed["lead"])
        summaries.refresh_deals(changed["deal"])
        refreshed = sum(len(ids) for ids in changed.values())
        # Never move backwards if another reader got further meanwhile.
        SyncState.objects.filter(pk=current.pk, audit_id__lt=latest).update(audit_id=latest)
    return refreshed
