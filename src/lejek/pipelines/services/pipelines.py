"""Designing pipelines: create (from a seed template), rename, add/reorder/remove stages."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.analytics import summaries as analytics_summaries
from lejek.automation import events as automation_events
from lejek.core import audit
from lejek.core.errors import Conflict, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange
from lejek.pipelines.templates import TEMPLATES

STAGE_FIELDS = ("name", "probability", "rotting_days")


@transaction.atomic
def pipeline_create(
    *,
    actor: User,
    name: str | None = None,
    template: str | None = None,
    stages: list[dict[str, Any]] | None = None,
) -> Pipeline:
    """A pipeline from a seed template, from explicit stages, or both (template first)."""
    access.require_admin(actor, "create pipelines")
    specs: list[dict[str, Any]] = []
    if template:
        if template not in TEMPLATES:
            raise ValidationFailed.field(
                "template", f"Unknown template '{template}'. Use one of: {', '.join(TEMPLATES)}."
            )
        tpl = TEMPLATES[template]
        specs = [
            {"name": s.name, "probability": s.probability, "rotting_days": s.rotting_days}
            for s in tpl.stages
        ]
        name = name or tpl.name
    specs += stages or []
    if not name:
        raise ValidationFailed.field("name", "A pipeline needs a name (or a template).")
    if not specs:
        raise ValidationFailed.field("stages", "A pipeline needs at least one stage.")
    _check_unique_names([s["name"] for s in specs])
    order = (Pipeline.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    pipeline = Pipeline.objects.create(name=name, template=template or "", order=order)
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name=spec["name"],
            order=index,
            probability=spec.get("probability", 0),
            rotting_days=spec.get("rotting_days"),
        )
        for index, spec in enumerate(specs)
    )
    audit.log_created(actor=actor, instance=pipeline, note=f"template={template or ''}")
    return pipeline


@transaction.atomic
def pipeline_update(*, actor: User, pipeline: Pipeline, data: dict[str, Any]) -> Pipeline:
    access.require_admin(actor, "change pipelines")
    fields = [f for f in ("name", "is_active", "order") if f in data]
    if "name" in data and not (data["name"] or "").strip():
        raise ValidationFailed.field("name", "A pipeline needs a name.")
    before = audit.snapshot(pipeline, fields)
    for field in fields:
        setattr(pipeline, field, data[field])
    pipeline.save(update_fields=fields or None)
    audit.log_changes(
        actor=actor, instance=pipeline, before=before, after=audit.snapshot(pipeline, fields)
    )
    return pipeline


@transaction.atomic
def stage_add(
    *, actor: User, pipeline: Pipeline, data: dict[str, Any], position: int | None = None
) -> Stage:
    """Insert a stage at `position` (0-based among active stages), at the end by default."""
    access.require_admin(actor, "change stages")
    active = list(pipeline.stages.active().select_for_update())
    _check_unique_names([s.name for s in active] + [data["name"]])
    position = len(active) if position is None else max(0, min(position, len(active)))
    for index, stage in enumerate(active):
        new_order = index if index < position else index + 1
        if stage.order != new_order:
            Stage.objects.filter(pk=stage.pk).update(order=new_order)
    stage = Stage.objects.create(
        pipeline=pipeline,
        name=data["name"],
        probability=data.get("probability", 0),
        rotting_days=data.get("rotting_days"),
        order=position,
    )
    audit.log_created(actor=actor, instance=stage, note=f"pipeline={pipeline.pk}")
    return stage


@transaction.atomic
def stage_update(*, actor: User, stage: Stage, data: dict[str, Any]) -> Stage:
    access.require_admin(actor, "change stages")
    fields = [f for f in STAGE_FIELDS if f in data]
    if "name" in data:
        others = stage.pipeline.stages.active().exclude(pk=stage.pk).values_list("name", flat=True)
        _check_unique_names([*others, data["name"]])
    before = audit.snapshot(stage, fields)
    for field in fields:
        setattr(stage, field, data[field])
    stage.save(update_fields=fields or None)
    audit.log_changes(
        actor=actor, instance=stage, before=before, after=audit.snapshot(stage, fields)
    )
    return stage


@transaction.atomic
def stages_reorder(*, actor: User, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    access.require_admin(actor, "reorder stages")
    active = {s.pk: s for s in pipeline.stages.active().select_for_update()}
    if sorted(stage_ids) != sorted(active):
        raise ValidationFailed.field(
            "stage_ids", "List every active stage of this pipeline exactly once."
        )
    before = [s.pk for s in sorted(active.values(), key=lambda s: (s.order, s.pk))]
    for index, pk in enumerate(stage_ids):
        if active[pk].order != index:
            Stage.objects.filter(pk=pk).update(order=index)
            active[pk].order = index
    if before != stage_ids:
        audit.log_event(
            actor=actor,
            instance=pipeline,
            action=AuditEntry.Action.UPDATED,
            field="stage_order",
            old=before,
            new=stage_ids,
        )
    return [active[pk] for pk in stage_ids]


@transaction.atomic
def stage_remove(*, actor: User, stage: Stage, move_to: Stage) -> int:
    """Remove a stage, moving its deals to `move_to` with a history row each; returns the count.

    The stage row stays (marked removed) because history points at it.
    """
    access.require_admin(actor, "remove stages")
    if stage.removed_at is not None:
        raise Conflict(f"Stage '{stage.name}' was already removed.")
    if move_to.pk == stage.pk or move_to.pipeline_id != stage.pipeline_id or move_to.removed_at:
        raise ValidationFailed.field(
            "move_to", "Choose another active stage of the same pipeline for its deals."
        )
    now = timezone.now()
    deal_ids = list(Deal.objects.filter(stage=stage).values_list("pk", flat=True))
    StageChange.objects.bulk_create(
        (
            StageChange(
                deal_id=pk,
                pipeline_id=stage.pipeline_id,
                from_stage=stage,
                to_stage=move_to,
                actor=actor,
                at=now,
                reason=StageChange.Reason.STAGE_REMOVED,
            )
            for pk in deal_ids
        ),
        batch_size=2000,
    )
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                entity_type="deal",
                entity_id=pk,
                action=AuditEntry.Action.STAGE_CHANGED,
                field="stage",
                old_value=stage.name,
                new_value=move_to.name,
                actor=actor,
                at=now,
                note="stage removed",
            )
            for pk in deal_ids
        ),
        batch_size=2000,
    )
    Deal.objects.filter(stage=stage).update(
        stage=move_to, stage_entered_at=now, updated_at=now, version=F("version") + 1
    )
    stage.removed_at = now
    stage.save(update_fields=["removed_at"])
    audit.log_event(
        actor=actor,
        instance=stage,
        action=AuditEntry.Action.DELETED,
        note=f"{len(deal_ids)} deals moved to stage {move_to.pk}",
    )
    remaining = list(stage.pipeline.stages.active().order_by("order", "pk"))
    for index, other in enumerate(remaining):
        if other.order != index:
            Stage.objects.filter(pk=other.pk).update(order=index)
    analytics_summaries.stage_removed(pipeline_id=stage.pipeline_id, deal_ids=deal_ids)
    automation_events.deals_moved_off_removed_stage(
        deal_ids=deal_ids, from_stage=stage, to_stage=move_to, at=now, actor=actor
    )
    return len(deal_ids)


def _check_unique_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        key = name.strip().casefold()
        if not key:
            raise ValidationFailed.field("name", "A stage needs a name.")
        if key in seen:
            raise ValidationFailed.field("name", f"Two stages cannot both be called '{name}'.")
        seen.add(key)
