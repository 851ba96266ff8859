"""Action types rules and checklist steps can run, one module per kind of action."""

from typing import Any

from pydantic import ValidationError

from lejek.automation.actions.activity import CreateActivity
from lejek.automation.actions.base import Action, Context
from lejek.automation.actions.email import SendEmail
from lejek.automation.actions.lists import AddToCampaign, RemoveFromCampaign
from lejek.automation.actions.records import AssignOwner, MoveStage, SetField
from lejek.automation.actions.webhook import CallWebhook
from lejek.core.errors import ValidationFailed

ACTIONS: dict[str, Action] = {
    action.type: action
    for action in (
        CreateActivity(),
        SendEmail(),
        AssignOwner(),
        SetField(),
        MoveStage(),
        AddToCampaign(),
        RemoveFromCampaign(),
        CallWebhook(),
    )
}

__all__ = ["ACTIONS", "Context", "describe", "execute", "is_external", "validate"]


def _parse(spec: dict[str, Any]) -> tuple[Action, Any]:
    action = ACTIONS[spec["type"]]
    return action, action.params.model_validate(spec.get("params") or {})


def validate(raw: Any, entity_type: str, field: str = "actions") -> list[dict[str, Any]]:
    """Actions as stored ([{type, params}]); 422 naming the action and parameter at fault."""
    if not isinstance(raw, list):
        raise ValidationFailed.field(field, "Actions must be a list.")
    cleaned = []
    for index, spec in enumerate(raw):
        where = f"{field}.{index}"
        if not isinstance(spec, dict) or spec.get("type") not in ACTIONS:
            kind = spec.get("type") if isinstance(spec, dict) else spec
            raise ValidationFailed.field(
                f"{where}.type", f"Unknown action '{kind}'. Use one of: {', '.join(ACTIONS)}."
            )
        action = ACTIONS[spec["type"]]
        if action.entity_types is not None and entity_type not in action.entity_types:
            raise ValidationFailed.field(
                f"{where}.type", f"'{action.type}' works only on: {', '.join(action.entity_types)}."
            )
        try:
            params = action.params.model_validate(spec.get("params") or {})
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors():
                name = ".".join(str(p) for p in error["loc"]) or "__all__"
                errors.setdefault(f"{where}.params.{name}", []).append(error["msg"])
            raise ValidationFailed("Some fields are invalid.", fields=errors) from exc
        try:
            action.check(params, entity_type)
        except ValidationFailed as exc:
            fields = {f"{where}.params.{k}": v for k, v in exc.fields.items()}
            raise ValidationFailed(exc.message, fields=fields) from exc
        cleaned.append({"type": action.type, "params": params.model_dump(mode="json")})
    return cleaned


def is_external(spec: dict[str, Any]) -> bool:
    action = ACTIONS.get(spec.get("type", ""))
    return bool(action and action.external)


def execute(spec: dict[str, Any], ctx: Context, index: int) -> str:
    action, params = _parse(spec)
    return action.run(ctx, params, index)


def describe(spec: dict[str, Any], ctx: Context) -> str:
    """What the action would do, read-only; an action that could not run says why."""
    try:
        action, params = _parse(spec)
        return action.describe(ctx, params)
    except (ValidationFailed, ValidationError, KeyError) as exc:
        return f"Would fail: {getattr(exc, 'message', exc)}"
