"""Deals: create, edit, move through stages, win, lose, reopen. Every move leaves history."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.analytics import summaries as analytics_summaries
from lejek.automation import events as automation_events
from lejek.automation import gates
from lejek.contacts.models import Organization, Person
from lejek.core import audit, money, records
from lejek.core.errors import Conflict, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange, StatusChange

# Plain fields a PATCH may change; stage, status and pipeline move only through their services.
EDITABLE_FIELDS = (
    "title",
    "organization",
    "amount",
    "currency",
    "contract_years",
    "expected_close_date",
    "forecast_category",
    "committed_amount",
    "committed_date",
    "source",
    "next_step",
    "owner",
    "lead",
)


def _values(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if "owner_id" in data:
        values["owner"] = access.assignable_owner(actor=actor, owner_id=data["owner_id"])
    if "organization_id" in data:
        values["organization"] = access.visible_reference(
            Organization, user=actor, pk=data["organization_id"], field="organization_id"
        )
    if "lead_id" in data:
        values["lead"] = access.visible_reference(
            Lead, user=actor, pk=data["lead_id"], field="lead_id"
        )
    if values.get("currency") is not None:
        values["currency"] = values["currency"].upper()
        if not money.is_currency(values["currency"]):
            raise ValidationFailed.field("currency", f"Unknown currency '{values['currency']}'.")
    for field in ("next_step",):
        if field in values and values[field] is None:
            values[field] = ""
    return values


def _people(actor: User, person_ids: list[int] | None) -> list[Person] | None:
    if person_ids is None:
        return None
    unique = list(dict.fromkeys(person_ids))
    found = {p.pk: p for p in Person.objects.visible_to(actor).filter(pk__in=unique)}
    missing = [pk for pk in unique if pk not in found]
    if missing:
        raise ValidationFailed.field(
            "person_ids", f"No person with id {missing[0]} that you can see."
        )
    return [found[pk] for pk in unique]


def _stage_for(pipeline: Pipeline, stage_id: int | None, field: str = "stage_id") -> Stage:
    stages = pipeline.stages.active()
    stage = stages.filter(pk=stage_id).first() if stage_id else stages.order_by("order").first()
    if stage is None:
        raise ValidationFailed.field(field, "Choose an active stage of the deal's pipeline.")
    return stage


def deal_create(*, actor: User, data: dict[str, Any]) -> Deal:
    """A new open deal in a stage (the pipeline's first by default), with its first history row."""
    pipeline_id = data.get("pipeline_id")
    pipeline = (
        Pipeline.objects.filter(pk=pipeline_id, is_active=True).first() if pipeline_id else None
    )
    if pipeline is None:
        raise ValidationFailed.field("pipeline_id", "Choose an active pipeline.")
    stage = _stage_for(pipeline, data.get("stage_id"))
    values = _values(actor, {"owner_id": None, **data})
    people = _people(actor, data.get("person_ids"))
    now = timezone.now()
    with transaction.atomic():
        deal = records.create(
            actor=actor,
            instance=Deal(
                pipeline=pipeline,
                stage=stage,
                stage_entered_at=now,
                created_at=now,
                updated_at=now,
                **values,
            ),
            m2m={"people": people} if people else None,
        )
        StageChange.objects.create(
            deal=deal,
            pipeline=pipeline,
            from_stage=None,
            to_stage=stage,
            actor=actor,
            at=now,
            reason=StageChange.Reason.CREATED,
        )
        analytics_summaries.refresh_deals([deal.pk])
        automation_events.deal_stage_changed(
            deal=deal, from_stage=None, to_stage=stage, at=now, actor=actor
        )
    return deal


def deal_update(*, actor: User, deal: Deal, data: dict[str, Any], version: int) -> Deal:
    """Edit plain fields; people are replaced when `person_ids` is given (audited as a list)."""
    values = _values(actor, data)
    people = _people(actor, data.get("person_ids"))
    with transaction.atomic():
        before = sorted(deal.people.values_list("pk", flat=True)) if people is not None else []
        after = sorted(p.pk for p in people) if people is not None else []
        deal = records.update(actor=actor, instance=deal, changes=values, expected_version=version)
        if before != after:
            if deal.version == version:  # no plain field changed: the people change takes a version
                deal.version = records.bump_version(
                    Deal, deal.pk, version, updated_at=timezone.now()
                )
            deal.people.set(people or [])
            audit.log_event(
                actor=actor,
                instance=deal,
                action=AuditEntry.Action.UPDATED,
                field="people",
                old=before,
                new=after,
            )
    return deal


def deal_move_to_stage(
    *,
    actor: User,
    deal: Deal,
    stage: Stage,
    version: int,
    note: str = "",
    override_reason: str = "",
) -> Deal:
    """Move an open deal to another active stage of its pipeline (or of another pipeline).

    A forward move out of a stage whose SOP is incomplete raises GateBlocked (409) unless a
    manager or admin gives `override_reason`; the override is logged.
    """
    if deal.status != Deal.Status.OPEN:
        raise Conflict(f"This deal is {deal.status}. Reopen it before moving it.")
    if stage.removed_at is not None or not stage.pipeline.is_active:
        raise ValidationFailed.field("stage_id", "That stage is not active.")
    if stage.pk == deal.stage_id:
        if deal.version != version:
            raise VersionConflict(deal.version)
        return deal
    now = timezone.now()
    from_stage = deal.stage
    with transaction.atomic():
        overridden = gates.enforce(
            actor=actor, deal=deal, stage=stage, override_reason=override_reason
        )
        deal.version = records.bump_version(
            Deal,
            deal.pk,
            version,
            stage=stage,
            pipeline_id=stage.pipeline_id,
            stage_entered_at=now,
            updated_at=now,
        )
        StageChange.objects.create(
            deal=deal,
            pipeline_id=stage.pipeline_id,
            from_stage=from_stage,
            to_stage=stage,
            actor=actor,
            at=now,
            reason=StageChange.Reason.OVERRIDE if overridden else StageChange.Reason.MOVED,
            note=note,
        )
        analytics_summaries.refresh_deals([deal.pk])
        if stage.pipeline_id != deal.pipeline_id:
            audit.log_event(
                actor=actor,
                instance=deal,
                action=AuditEntry.Action.UPDATED,
                field="pipeline",
                old=deal.pipeline.name,
                new=stage.pipeline.name,
            )
        audit.log_event(
            actor=actor,
            instance=deal,
            action=AuditEntry.Action.STAGE_CHANGED,
            field="stage",
            old=from_stage.name,
            new=stage.name,
            note=note,
        )
        automation_events.deal_stage_changed(
            deal=deal, from_stage=from_stage, to_stage=stage, at=now, actor=actor
        )
        deal.stage, deal.pipeline, deal.stage_entered_at, deal.updated_at = (
            stage,
            stage.pipeline,
            now,
            now,
        )
    return deal


def _set_status(
    *,
    actor: User,
    deal: Deal,
    version: int,
    status: str,
    lost_reason: str = "",
    objection_tags: list[str] | None = None,
) -> Deal:
    now = timezone.now()
    closed_at = now if status != Deal.Status.OPEN else None
    tags = list(dict.fromkeys(objection_tags or []))
    previous = deal.status
    with transaction.atomic():
        deal.version = records.bump_version(
            Deal,
            deal.pk,
            version,
            status=status,
            closed_at=closed_at,
            lost_reason=lost_reason,
            objection_tags=tags,
            updated_at=now,
        )
        StatusChange.objects.create(
            deal=deal,
            from_status=previous,
            to_status=status,
            stage_id=deal.stage_id,
            amount=deal.amount,
            currency=deal.currency,
            lost_reason=lost_reason,
            objection_tags=tags,
            actor=actor,
            at=now,
        )
        analytics_summaries.refresh_deals([deal.pk])
        audit.log_event(
            actor=actor,
            instance=deal,
            action=AuditEntry.Action.STATUS_CHANGED,
            field="status",
            old=previous,
            new=status,
            note=lost_reason,
        )
        automation_events.deal_status_changed(
            deal=deal, old=previous, new=status, at=now, actor=actor
        )
        deal.status, deal.closed_at, deal.lost_reason, deal.objection_tags, deal.updated_at = (
            status,
            closed_at,
            lost_reason,
            tags,
            now,
        )
    return deal


def deal_mark_won(*, actor: User, deal: Deal, version: int, override_reason: str = "") -> Deal:
    """Win an open deal. Its stage's gate applies as to a forward move (409 gate_blocked;
    a manager or admin may override with a reason, which is logged)."""
    if deal.status != Deal.Status.OPEN:
        raise Conflict(f"This deal is already {deal.status}. Reopen it first.")
    if deal.version != version:
        raise VersionConflict(deal.version)
    with transaction.atomic():
        gates.enforce_win(actor=actor, deal=deal, override_reason=override_reason)
        return _set_status(actor=actor, deal=deal, version=version, status=Deal.Status.WON)


def deal_mark_lost(
    *,
    actor: User,
    deal: Deal,
    version: int,
    lost_reason: str,
    objection_tags: list[str] | None = None,
) -> Deal:
    if deal.status != Deal.Status.OPEN:
        raise Conflict(f"This deal is already {deal.status}. Reopen it first.")
    reason = (lost_reason or "").strip()
    if not reason:
        raise ValidationFailed.field("lost_reason", "Say why the deal was lost.")
    unknown = [t for t in objection_tags or [] if t not in Deal.Objection.values]
    if unknown:
        raise ValidationFailed.field("objection_tags", f"Unknown objection tag '{unknown[0]}'.")
    return _set_status(
        actor=actor,
        deal=deal,
        version=version,
        status=Deal.Status.LOST,
        lost_reason=reason,
        objection_tags=objection_tags,
    )


def deal_reopen(*, actor: User, deal: Deal, version: int) -> Deal:
    if deal.status == Deal.Status.OPEN:
        raise Conflict("This deal is already open.")
    return _set_status(actor=actor, deal=deal, version=version, status=Deal.Status.OPEN)


def deal_delete(*, actor: User, deal: Deal, version: int) -> Deal:
    with transaction.atomic():
        deal = records.soft_delete(actor=actor, instance=deal, expected_version=version)
        analytics_summaries.refresh_deals([deal.pk])
    return deal


def deal_restore(*, actor: User, deal: Deal) -> Deal:
    with transaction.atomic():
        deal = records.restore(actor=actor, instance=deal)
        analytics_summaries.refresh_deals([deal.pk])
    return deal
