"""Designing stage SOPs: a stage's steps and the deal fields its gate requires (admins)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import actions, gates, seed
from lejek.automation.models import Anchor, Offset, StageChecklist, StepKind, StepTemplate
from lejek.core import audit
from lejek.core.errors import ValidationFailed
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Stage

STEP_FIELDS = (
    "title",
    "description",
    "kind",
    "required",
    "actions",
    "anchor",
    "offset_value",
    "offset_unit",
)


def checklist_for(stage: Stage) -> StageChecklist | None:
    seed.ensure_for_pipeline(stage.pipeline)
    return StageChecklist.objects.filter(stage=stage).first()


def steps_of(stage: Stage) -> list[StepTemplate]:
    checklist = checklist_for(stage)
    if checklist is None:
        return []
    return list(checklist.steps.filter(is_active=True).order_by("order", "pk"))


def _clean_step(index: int, data: dict[str, Any]) -> dict[str, Any]:
    where = f"steps.{index}"
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationFailed.field(f"{where}.title", "A step needs a title.")
    kind = data.get("kind") or StepKind.MANUAL
    if kind not in StepKind.values:
        raise ValidationFailed.field(f"{where}.kind", f"Unknown kind '{kind}'.")
    anchor = data.get("anchor") or Anchor.STAGE_ENTERED
    if anchor not in Anchor.values:
        raise ValidationFailed.field(f"{where}.anchor", f"Unknown anchor '{anchor}'.")
    unit = data.get("offset_unit") or Offset.HOURS
    if unit not in Offset.values:
        raise ValidationFailed.field(f"{where}.offset_unit", f"Unknown unit '{unit}'.")
    step_actions = actions.validate(data.get("actions") or [], "deal", f"{where}.actions")
    if kind == StepKind.AUTOMATIC and not step_actions:
        raise ValidationFailed.field(f"{where}.actions", "An automatic step needs an action.")
    return {
        "title": title[:200],
        "description": data.get("description") or "",
        "kind": kind,
        "required": bool(data.get("required")),
        "actions": step_actions if kind == StepKind.AUTOMATIC else [],
        "anchor": anchor,
        "offset_value": int(data.get("offset_value") or 0),
        "offset_unit": unit,
    }


@transaction.atomic
def checklist_save(
    *, actor: User, stage: Stage, steps: list[dict[str, Any]], required_fields: list[str]
) -> StageChecklist:
    """Replace a stage's checklist: steps with an `id` are updated, others added, the rest removed.

    Removed steps are deactivated, not deleted: deals' past checklists still point at them.
    """
    access.require_admin(actor, "change stage checklists")
    unknown = [f for f in required_fields if f not in gates.GATE_FIELDS]
    if unknown:
        raise ValidationFailed.field("required_fields", f"Unknown deal field '{unknown[0]}'.")
    cleaned = [_clean_step(i, s) for i, s in enumerate(steps)]
    checklist = checklist_for(stage) or StageChecklist.objects.create(stage=stage)
    existing = {s.pk: s for s in checklist.steps.filter(is_active=True)}
    kept: set[int] = set()
    for order, (data, values) in enumerate(zip(steps, cleaned, strict=True)):
        step_id = data.get("id")
        if step_id is not None:
            step = existing.get(step_id)
            if step is None:
                raise ValidationFailed.field(f"steps.{order}.id", f"No step {step_id} here.")
            for name, value in values.items():
                setattr(step, name, value)
            step.order = order
            step.save()
            kept.add(step.pk)
        else:
            StepTemplate.objects.create(checklist=checklist, order=order, **values)
    StepTemplate.objects.filter(pk__in=set(existing) - kept).update(is_active=False)
    before = {"required_fields": list(checklist.required_fields)}
    checklist.required_fields = list(dict.fromkeys(required_fields))
    checklist.updated_at = timezone.now()
    checklist.save(update_fields=["required_fields", "updated_at"])
    audit.log_event(
        actor=actor,
        instance=stage,
        action=AuditEntry.Action.UPDATED,
        field="checklist",
        old=before,
        new={"steps": [v["title"] for v in cleaned], "required_fields": checklist.required_fields},
    )
    return checklist
