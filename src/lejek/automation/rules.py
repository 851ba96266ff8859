"""Workflow rules: editing them, matching events to them, starting their runs, dry runs."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import actions, conditions, engine, triggers
from lejek.automation.models import AutomationRun, Event, Rule
from lejek.core import audit, records
from lejek.core.errors import ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry

logger = logging.getLogger(__name__)

FIELDS = ("name", "description", "entity_type", "trigger", "trigger_params", "conditions")
# A loop of rules (one sets a field, another reacts and sets it back) stops here.
RUNS_PER_RECORD_PER_HOUR = 20


def _clean(data: dict[str, Any], rule: Rule | None = None) -> dict[str, Any]:
    merged = {
        name: data.get(name, getattr(rule, name) if rule is not None else None)
        for name in (*FIELDS, "actions", "is_active")
    }
    entity_type = merged["entity_type"]
    entity_type = str(entity_type or "")
    if entity_type not in triggers.ENTITY_TYPES:
        raise ValidationFailed.field("entity_type", f"Unknown record type '{entity_type}'.")
    if not (merged["name"] or "").strip():
        raise ValidationFailed.field("name", "A rule needs a name.")
    merged["trigger_params"] = triggers.validate(
        str(merged["trigger"] or ""), entity_type, merged["trigger_params"] or {}
    )
    merged["conditions"] = conditions.validate(entity_type, merged["conditions"] or [])
    merged["actions"] = actions.validate(merged["actions"] or [], entity_type)
    if not merged["actions"]:
        raise ValidationFailed.field("actions", "A rule needs at least one action.")
    merged["description"] = merged["description"] or ""
    merged["is_active"] = True if merged["is_active"] is None else merged["is_active"]
    return merged


@transaction.atomic
def rule_create(*, actor: User, data: dict[str, Any]) -> Rule:
    """A new rule; its actions run with the rights of `actor` (an admin)."""
    access.require_admin(actor, "create automation rules")
    rule = Rule.objects.create(**_clean(data), created_by=actor)
    audit.log_created(actor=actor, instance=rule)
    return rule


@transaction.atomic
def rule_update(*, actor: User, rule: Rule, data: dict[str, Any], version: int) -> Rule:
    access.require_admin(actor, "change automation rules")
    if rule.version != version:
        raise VersionConflict(rule.version)
    cleaned = _clean(data, rule)
    names = [*FIELDS, "actions", "is_active"]
    before = audit.snapshot(rule, names)
    for name in names:
        setattr(rule, name, cleaned[name])
    after = audit.snapshot(rule, names)
    if before != after:
        rule.version = records.bump_version(
            Rule, rule.pk, version, updated_at=timezone.now(), **{n: cleaned[n] for n in names}
        )
        audit.log_changes(actor=actor, instance=rule, before=before, after=after)
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: Rule) -> None:
    """Delete a rule; its past runs stay in the log."""
    access.require_admin(actor, "delete automation rules")
    audit.log_event(actor=actor, instance=rule, action=AuditEntry.Action.DELETED, note=rule.name)
    rule.delete()


def _under_limit(rule: Rule, event: Event) -> bool:
    limit = getattr(settings, "AUTOMATION_RULE_RUNS_PER_HOUR", RUNS_PER_RECORD_PER_HOUR)
    recent = AutomationRun.objects.filter(
        rule=rule,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        created_at__gte=timezone.now() - datetime.timedelta(hours=1),
    ).count()
    if recent >= limit:
        logger.warning(
            "Rule %s ran %s times on %s#%s in an hour; skipped.",
            rule.pk,
            recent,
            event.entity_type,
            event.entity_id,
        )
        return False
    return True


def start(rule: Rule, record: Any, *, key: str, trigger: str, event: dict[str, Any]) -> bool:
    """A run of the rule on the record, once per key."""
    run = engine.run_create(
        key=key,
        source=AutomationRun.Source.RULE,
        title=rule.name,
        entity_type=rule.entity_type,
        entity_id=record.pk,
        run_actions=rule.actions,
        actor=rule.created_by,
        rule=rule,
        trigger=trigger,
        event=event,
    )
    return run is not None


def dispatch(event: Event, record: Any) -> int:
    """Start a run of every active rule whose trigger and conditions match the event."""
    kinds = triggers.FROM_EVENT.get(event.kind, ())
    if not kinds:
        return 0
    candidates = Rule.objects.filter(
        is_active=True, entity_type=event.entity_type, trigger__in=kinds
    )
    started = 0
    for rule in candidates.select_related("created_by").order_by("pk"):
        if not triggers.matches(rule, event) or not conditions.all_hold(rule.conditions, record):
            continue
        if not _under_limit(rule, event):
            continue
        payload = {"kind": event.kind, "event_id": event.pk, **event.data}
        started += start(
            rule,
            record,
            key=f"rule:{rule.pk}:event:{event.pk}",
            trigger=rule.trigger,
            event=payload,
        )
    return started


def dry_run(*, rule: Rule, record: Any, actor: User) -> dict[str, Any]:
    """What the rule would do to `record` now, without doing any of it."""
    ctx = actions.Context(
        run=None,
        record=record,
        actor=rule.created_by or actor,
        now=timezone.now(),
        event={"kind": "dry_run"},
    )
    checked = conditions.evaluate(rule.conditions, record)
    return {
        "rule_id": rule.pk,
        "entity_type": rule.entity_type,
        "entity_id": record.pk,
        "trigger": triggers.describe(rule),
        "conditions": checked,
        "conditions_hold": all(c["holds"] for c in checked),
        "actions": [
            {"type": spec["type"], "description": actions.describe(spec, ctx)}
            for spec in rule.actions
        ],
    }
