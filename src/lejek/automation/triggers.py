"""Rule triggers: their parameters, and whether an event sets one off."""

from typing import Any

from django.db import models

from lejek.automation import conditions, context
from lejek.automation.models import EntityType, Event, Offset, Rule, Trigger
from lejek.core.errors import ValidationFailed

ENTITY_TYPES = tuple(EntityType.values)
DEAL_ONLY = {
    Trigger.STAGE_ENTERED,
    Trigger.STAGE_LEFT,
    Trigger.WON,
    Trigger.LOST,
    Trigger.BECAME_STALE,
}
# Which triggers an event of each kind can set off.
FROM_EVENT: dict[str, tuple[str, ...]] = {
    "created": (Trigger.CREATED,),
    "updated": (Trigger.FIELD_UPDATED, Trigger.SCORE_CROSSED),
    "stage_changed": (Trigger.STAGE_ENTERED, Trigger.STAGE_LEFT),
    "won": (Trigger.WON,),
    "lost": (Trigger.LOST,),
    "became_stale": (Trigger.BECAME_STALE,),
}
MEETING = "meeting"


def date_fields(entity_type: str) -> list[str]:
    """Dates a "relative to a date" trigger can be timed from (deals also: their meeting)."""
    model = context.model_for(entity_type)
    names = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and f.name != "deleted_at"
    ]
    return [*names, MEETING] if entity_type == "deal" else names


def _int(params: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = params.get(name)
    if value is None:
        if required:
            raise ValidationFailed.field(f"trigger_params.{name}", "This value is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**9:
        raise ValidationFailed.field(f"trigger_params.{name}", "Give a whole number.")
    return value


def validate(trigger: str, entity_type: str, params: Any) -> dict[str, Any]:
    """The trigger's parameters as stored; 422 naming the one at fault."""
    if trigger not in Trigger.values:
        raise ValidationFailed.field("trigger", f"Unknown trigger '{trigger}'.")
    if trigger in DEAL_ONLY and entity_type != "deal":
        raise ValidationFailed.field("trigger", "This trigger works on deals only.")
    if trigger == Trigger.SCORE_CROSSED and entity_type != "lead":
        raise ValidationFailed.field("trigger", "Only leads have a score.")
    if not isinstance(params, dict):
        raise ValidationFailed.field("trigger_params", "Give an object.")
    if trigger == Trigger.FIELD_UPDATED:
        fields = params.get("fields") or []
        allowed = set(conditions.fields_of(entity_type))
        bad = [f for f in fields if f not in allowed] if isinstance(fields, list) else [fields]
        if bad:
            raise ValidationFailed.field("trigger_params.fields", f"Unknown field '{bad[0]}'.")
        return {"fields": list(dict.fromkeys(fields))}
    if trigger in DEAL_ONLY:
        return {
            name: value
            for name in ("stage_id", "pipeline_id")
            if (value := _int(params, name)) is not None
        }
    if trigger == Trigger.SCORE_CROSSED:
        direction = params.get("direction", "up")
        if direction not in {"up", "down"}:
            raise ValidationFailed.field("trigger_params.direction", "Use 'up' or 'down'.")
        return {"threshold": _int(params, "threshold", required=True), "direction": direction}
    if trigger == Trigger.DATE_RELATIVE:
        field = params.get("field")
        if field not in date_fields(entity_type):
            choices = ", ".join(date_fields(entity_type))
            raise ValidationFailed.field("trigger_params.field", f"Use one of: {choices}.")
        unit = params.get("unit", Offset.DAYS)
        if unit not in Offset.values:
            raise ValidationFailed.field("trigger_params.unit", f"Unknown unit '{unit}'.")
        offset = _int(params, "offset", required=True)
        if offset is not None and abs(offset) > 3650:
            raise ValidationFailed.field("trigger_params.offset", "At most 3650.")
        return {"field": field, "offset": offset, "unit": unit}
    return {}


def _score_crossed(params: dict[str, Any], change: Any) -> bool:
    try:
        old, new = int(change[0]), int(change[1])
    except (TypeError, ValueError, IndexError):
        return False
    threshold = params["threshold"]
    if params.get("direction", "up") == "up":
        return old < threshold <= new
    return old >= threshold > new


def matches(rule: Rule, event: Event) -> bool:
    """Does this event set off this rule's trigger (conditions are checked separately)?"""
    params, data = rule.trigger_params, event.data
    if rule.trigger == Trigger.CREATED:
        return event.kind == "created"
    if rule.trigger == Trigger.FIELD_UPDATED:
        changed = set((data.get("changes") or {}).keys())
        return bool(changed) and (not params.get("fields") or bool(changed & set(params["fields"])))
    if rule.trigger == Trigger.SCORE_CROSSED:
        change = (data.get("changes") or {}).get("score")
        return change is not None and _score_crossed(params, change)
    if rule.trigger in {Trigger.STAGE_ENTERED, Trigger.STAGE_LEFT}:
        side = "to" if rule.trigger == Trigger.STAGE_ENTERED else "from"
        stage_id = data.get(f"{side}_stage_id")
        if stage_id is None:
            return False
        if params.get("stage_id") and params["stage_id"] != stage_id:
            return False
        return not params.get("pipeline_id") or params["pipeline_id"] == data.get("pipeline_id")
    if rule.trigger in {Trigger.WON, Trigger.LOST, Trigger.BECAME_STALE}:
        if params.get("stage_id") and params["stage_id"] != data.get("stage_id"):
            return False
        return not params.get("pipeline_id") or params["pipeline_id"] == data.get("pipeline_id")
    return False


def describe(rule: Rule) -> str:
    label = str(Trigger(rule.trigger).label)
    if rule.trigger == Trigger.DATE_RELATIVE:
        p = rule.trigger_params
        side = "before" if p["offset"] < 0 else "after"
        return f"{label}: {abs(p['offset'])} {p['unit']} {side} {p['field']}"
    details = ", ".join(f"{k}={v}" for k, v in rule.trigger_params.items())
    return f"{label} ({details})" if details else label
