"""Events: recorded with the change that caused them, handled in the background.

The pipelines services call the `deal_*` hooks inside their transaction. Each
hook writes an Event row and queues its handling for after the commit; if the
queue cannot take it, the tick finds the unhandled row later.
"""

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lejek.automation import context, queue, rules, sops, tasks, ticker, webhooks
from lejek.automation.models import Event, Trigger
from lejek.pipelines.models import Deal, Stage

logger = logging.getLogger(__name__)

STAGE_CHANGED = "stage_changed"
UPDATED = "updated"
# Events not handled this long after they were written are handed out again by the tick.
HANDOVER_AFTER = datetime.timedelta(minutes=2)


def emit(
    *,
    kind: str,
    entity_type: str,
    entity_id: int,
    data: dict[str, Any] | None = None,
    actor: Any = None,
    key: str | None = None,
) -> Event | None:
    """Record an event in the current transaction and queue its handling after the commit."""
    if key is not None and Event.objects.filter(key=key).exists():
        return None
    event = Event.objects.create(
        kind=kind,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data or {},
        actor=actor if getattr(actor, "pk", None) else None,
        key=key,
        created_at=timezone.now(),
    )
    queue.enqueue_on_commit(tasks.handle_event, event.pk)
    return event


def deal_stage_changed(
    *, deal: Deal, from_stage: Stage | None, to_stage: Stage, at: datetime.datetime, actor: Any
) -> None:
    """A deal entered `to_stage` (leaving `from_stage`, none for a new deal)."""
    emit(
        kind=STAGE_CHANGED,
        entity_type="deal",
        entity_id=deal.pk,
        actor=actor,
        data={
            "from_stage_id": from_stage.pk if from_stage is not None else None,
            "from_stage": from_stage.name if from_stage is not None else None,
            "to_stage_id": to_stage.pk,
            "to_stage": to_stage.name,
            "pipeline_id": to_stage.pipeline_id,
            "entered_at": at.isoformat(),
        },
    )


def deals_moved_off_removed_stage(
    *,
    deal_ids: list[int],
    from_stage: Stage,
    to_stage: Stage,
    at: datetime.datetime,
    actor: Any,
) -> None:
    """Deals moved to `to_stage` because `from_stage` was removed: the same event as a move,
    so rules on entering or leaving a stage, and the new stage's checklist, apply."""
    data = {
        "from_stage_id": from_stage.pk,
        "from_stage": from_stage.name,
        "to_stage_id": to_stage.pk,
        "to_stage": to_stage.name,
        "pipeline_id": to_stage.pipeline_id,
        "entered_at": at.isoformat(),
        "stage_removed": True,
    }
    created = Event.objects.bulk_create(
        [
            Event(
                kind=STAGE_CHANGED,
                entity_type="deal",
                entity_id=pk,
                data=data,
                actor=actor if getattr(actor, "pk", None) else None,
                created_at=at,
            )
            for pk in deal_ids
        ],
        batch_size=2000,
    )
    for event in created:
        queue.enqueue_on_commit(tasks.handle_event, event.pk)


def deal_status_changed(
    *, deal: Deal, old: str, new: str, at: datetime.datetime, actor: Any
) -> None:
    """A deal was won or lost (reopening is recorded but triggers nothing)."""
    if new not in {Deal.Status.WON, Deal.Status.LOST}:
        return
    emit(
        kind=str(new),
        entity_type="deal",
        entity_id=deal.pk,
        actor=actor,
        data={
            "from_status": old,
            "to_status": new,
            "at": at.isoformat(),
            "stage_id": deal.stage_id,
            "pipeline_id": deal.pipeline_id,
        },
    )


def _checklists(event: Event, record: Any) -> None:
    if event.entity_type != "deal":
        return
    if event.kind == STAGE_CHANGED:
        entered_at = parse_datetime(event.data.get("entered_at") or "")
        if entered_at is not None:
            sops.enter_stage(deal=record, stage_id=event.data["to_stage_id"], entered_at=entered_at)
    elif event.kind in {Trigger.WON, Trigger.LOST}:
        sops.leave(record)


def handle(event_id: int) -> str:
    """Checklists, rules and webhooks for one event; safe to run twice (all keyed)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.handled_at is not None:
        return "already handled"
    record = context.load(event.entity_type, event.entity_id)
    if record is not None:
        with transaction.atomic():
            _checklists(event, record)
        rules.dispatch(event, record)
    webhooks.fan_out(event)
    Event.objects.filter(pk=event.pk).update(handled_at=timezone.now())
    ticker.ensure_chain()  # time-based work needs the tick: restart it if it stopped
    return "handled"


def hand_over(now: datetime.datetime) -> int:
    """Queue again the events nobody handled (the queue was down, a worker died)."""
    stale = Event.objects.filter(handled_at__isnull=True, created_at__lt=now - HANDOVER_AFTER)
    count = 0
    for pk in stale.order_by("pk").values_list("pk", flat=True)[:1000]:
        queue.enqueue(tasks.handle_event, pk)
        count += 1
    return count
