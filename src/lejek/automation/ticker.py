"""The periodic tick: everything that happens because time passed.

Each tick hands over unhandled events, starts due scheduled actions, queues due
retries and webhook deliveries, notices deals that became stale, fires rules
timed relative to a date, and turns new audit entries into "created" and
"updated" events. All of it is keyed, so ticks may overlap or repeat safely.

It runs as a chain of tasks that queue their successor (`manage.py
automation_tick --start` begins one; any handled event restarts a chain that
stopped), or from `manage.py automation_tick --loop` / cron.
"""

import datetime
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lejek.activities.models import Activity
from lejek.automation import (
    business_days,
    conditions,
    context,
    engine,
    events,
    periodic,
    queue,
    rules,
    scheduling,
    tasks,
    triggers,
    webhooks,
)
from lejek.automation.models import (
    AutomationRun,
    Rule,
    State,
    Trigger,
    WebhookDelivery,
    WebhookSubscription,
)
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal
from lejek.pipelines.selectors import is_stale

CHAIN = "tick_chain"
AUDIT_CURSOR = "audit_cursor"
STALE_CHECKED = "stale_checked"
# Audit entries younger than this may belong to a transaction not yet committed.
AUDIT_LAG = datetime.timedelta(seconds=30)
STALE_EVERY = datetime.timedelta(minutes=15)
# Due times further back than this are not acted on (a new rule does not replay history).
LOOKBACK = datetime.timedelta(days=1)
DATE_FIELD_HOUR = 9  # a rule timed from a plain date counts from 09:00 that day
SKIPPED_FIELDS = {"automation", "checklist", "gate"}


def interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "AUTOMATION_TICK_SECONDS", 60))


def tick(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "events": events.hand_over(now),
        "scheduled": scheduling.dispatch(now),
        "retries": engine.requeue_due(now),
        "webhooks": requeue_deliveries(now),
        "stale": detect_stale(now),
        "dates": date_rules(now),
        "audit": scan_audit(now),
        "periodic": periodic.run_due(now),
    }


def _state(name: str) -> State:
    state, _ = State.objects.get_or_create(name=name)
    return state


def start_chain() -> str:
    chain = uuid.uuid4().hex
    State.objects.update_or_create(
        name=CHAIN, defaults={"value": {"chain": chain, "next_at": timezone.now().isoformat()}}
    )
    queue.enqueue(tasks.tick, chain)
    return chain


def ensure_chain() -> None:
    """Start a tick chain when none is alive (only where tasks can be deferred)."""
    if not queue.can_defer(tasks.tick):
        return
    state = State.objects.filter(name=CHAIN).first()
    next_at = parse_datetime((state.value or {}).get("next_at", "")) if state else None
    if next_at is None or next_at < timezone.now() - 3 * interval():
        start_chain()


def tick_and_continue(chain: str = "") -> dict[str, int]:
    if chain:
        state = State.objects.filter(name=CHAIN).first()
        if state is None or state.value.get("chain") != chain:
            return {"superseded": 1}  # a newer chain took over
    counts = tick()
    if chain and queue.can_defer(tasks.tick):
        next_at = timezone.now() + interval()
        State.objects.filter(name=CHAIN).update(
            value={"chain": chain, "next_at": next_at.isoformat()}, updated_at=timezone.now()
        )
        queue.enqueue(tasks.tick, chain, at=next_at)
    return counts


def requeue_deliveries(now: datetime.datetime) -> int:
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ) | WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__isnull=True,
        created_at__lt=now - datetime.timedelta(minutes=2),
    )
    count = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        queue.enqueue(tasks.deliver_webhook, pk)
        count += 1
    return count


def _wanted() -> tuple[set[tuple[str, str]], bool]:
    """(entity type, event kind) pairs some rule or webhook listens to; True: everything."""
    wanted: set[tuple[str, str]] = set()
    for entity_type, trigger in Rule.objects.filter(is_active=True).values_list(
        "entity_type", "trigger"
    ):
        for kind, kinds in triggers.FROM_EVENT.items():
            if trigger in kinds:
                wanted.add((entity_type, kind))
    for types in WebhookSubscription.objects.filter(is_active=True).values_list(
        "event_types", flat=True
    ):
        for name in types:
            if name == webhooks.ALL:
                return wanted, True
            entity_type, _, kind = name.partition(".")
            wanted.add((entity_type, "became_stale" if kind == "stale" else kind))
    return wanted, False


def detect_stale(now: datetime.datetime) -> int:
    """A "became stale" event per open deal idle past its stage's limit, once per idle spell."""
    state = _state(STALE_CHECKED)
    last = parse_datetime(state.value.get("at", "")) if state.value else None
    if last is not None and now - last < STALE_EVERY:
        return 0
    State.objects.filter(pk=state.pk).update(value={"at": now.isoformat()}, updated_at=now)
    wanted, everything = _wanted()
    if not everything and ("deal", "became_stale") not in wanted:
        return 0
    deals = Deal.objects.alive().filter(
        status=Deal.Status.OPEN, stage__rotting_days__isnull=False, stage_entered_at__lt=now
    )
    count = 0
    for deal in deals.select_related("stage").iterator(chunk_size=2000):
        if not is_stale(deal, now):
            continue
        touched = max(filter(None, [deal.stage_entered_at, deal.last_activity_at]))
        with transaction.atomic():
            created = events.emit(
                kind="became_stale",
                entity_type="deal",
                entity_id=deal.pk,
                key=f"stale:{deal.pk}:{touched.isoformat()}",
                data={"stage_id": deal.stage_id, "pipeline_id": deal.pipeline_id},
            )
        count += created is not None
    return count


def _anchors(rule: Rule, now: datetime.datetime) -> list[tuple[Any, datetime.datetime]]:
    """(record, anchor moment) pairs whose offset moment may fall in the look-back window."""
    params = rule.trigger_params
    span = business_days.max_calendar_span(params["offset"], params["unit"])
    low, high = now - LOOKBACK - span - datetime.timedelta(days=1), now + span
    if params["field"] == triggers.MEETING:
        meetings = list(
            Activity.objects.alive()
            .filter(kind=Activity.Kind.MEETING, deal__isnull=False, due_at__range=(low, high))
            .values_list("deal_id", "due_at")[:5000]
        )
        deals = Deal.objects.alive().select_related(*context.RELATED["deal"])
        found_deals = deals.in_bulk([deal_id for deal_id, _ in meetings])
        return [(found_deals[d], due) for d, due in meetings if d in found_deals]
    model = context.model_for(rule.entity_type)
    is_datetime = isinstance(model._meta.get_field(params["field"]), models.DateTimeField)
    bounds = (low, high) if is_datetime else (low.date(), high.date())
    qs = model.objects.alive().filter(  # type: ignore[attr-defined]
        **{f"{params['field']}__range": bounds}
    )
    found: list[tuple[Any, datetime.datetime]] = []
    zone = timezone.get_default_timezone()
    for record in qs.select_related(*context.RELATED[rule.entity_type])[:5000]:
        value = getattr(record, params["field"])
        if not is_datetime:
            value = timezone.make_aware(
                datetime.datetime.combine(value, datetime.time(DATE_FIELD_HOUR)), zone
            )
        found.append((record, value))
    return found


def date_rules(now: datetime.datetime) -> int:
    """Fire "N hours/days/business days before/after a date" rules whose moment has come."""
    started = 0
    for rule in Rule.objects.filter(is_active=True, trigger=Trigger.DATE_RELATIVE):
        params = rule.trigger_params
        due: list[tuple[Any, datetime.datetime, str]] = []
        for record, anchor in _anchors(rule, now):
            moment = business_days.apply_offset(anchor, params["offset"], params["unit"])
            if now - LOOKBACK <= moment <= now:
                key = f"date:{rule.pk}:{rule.entity_type}:{record.pk}:{anchor.isoformat()}"
                due.append((record, anchor, key))
        seen = set(
            AutomationRun.objects.filter(run_key__in=[k for _, _, k in due]).values_list(
                "run_key", flat=True
            )
        )
        for record, anchor, key in due:
            if key in seen or not conditions.all_hold(rule.conditions, record):
                continue
            event = {"kind": "date_relative", "anchor": anchor.isoformat(), **params}
            started += rules.start(rule, record, key=key, trigger=rule.trigger, event=event)
    return started


def scan_audit(now: datetime.datetime) -> int:
    """Turn audit entries into "created"/"updated" events for the records rules watch."""
    with transaction.atomic():
        state = State.objects.select_for_update().get(pk=_state(AUDIT_CURSOR).pk)
        entries = AuditEntry.objects.filter(at__lte=now - AUDIT_LAG)
        if "id" not in state.value:  # first tick ever: start from now, do not replay history
            last = entries.order_by("-id").values_list("id", flat=True).first() or 0
            State.objects.filter(pk=state.pk).update(value={"id": last}, updated_at=now)
            return 0
        batch = list(
            entries.filter(
                id__gt=state.value["id"],
                entity_type__in=list(context.MODELS),
                action__in=[AuditEntry.Action.CREATED, AuditEntry.Action.UPDATED],
            ).order_by("id")[:2000]
        )
        if not batch:
            return 0
        State.objects.filter(pk=state.pk).update(value={"id": batch[-1].pk}, updated_at=now)
        return _emit_changes(batch)


def _emit_changes(batch: list[AuditEntry]) -> int:
    wanted, everything = _wanted()
    groups: dict[tuple[Any, ...], list[AuditEntry]] = defaultdict(list)
    for entry in batch:
        if entry.field in SKIPPED_FIELDS:
            continue
        kind = "created" if entry.action == AuditEntry.Action.CREATED else "updated"
        if everything or (entry.entity_type, kind) in wanted:
            groups[(entry.entity_type, entry.entity_id, kind, entry.at, entry.actor_id)].append(
                entry
            )
    count = 0
    for (entity_type, entity_id, kind, _at, _actor), entries in groups.items():
        data: dict[str, Any] = {}
        if kind == "updated":
            data["changes"] = {e.field: [e.old_value, e.new_value] for e in entries}
        created = events.emit(
            kind=kind,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data,
            key=f"audit:{entries[0].pk}",
        )
        count += created is not None
    return count
