"""A deal's checklist: made when the deal enters a stage, ticked by people or by automation."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lejek.accounts.models import User
from lejek.automation import scheduling, seed
from lejek.automation.models import DealStep, ScheduledAction, StepKind, StepTemplate
from lejek.core import audit
from lejek.core.errors import Conflict
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal


def templates_for(deal: Deal) -> list[StepTemplate]:
    seed.ensure_for_pipeline(deal.pipeline)
    return list(
        StepTemplate.objects.filter(checklist__stage_id=deal.stage_id, is_active=True).order_by(
            "order", "pk"
        )
    )


def current_steps(deal: Deal) -> QuerySet[DealStep]:
    return DealStep.objects.filter(
        deal=deal, stage_id=deal.stage_id, entered_at=deal.stage_entered_at
    ).select_related("done_by", "template", "scheduled_action")


@transaction.atomic
def instantiate(deal: Deal, now: datetime.datetime | None = None) -> list[DealStep]:
    """The deal's checklist for its current stay, made from the stage's steps if missing.

    Safe to call again: steps already made are kept as they are, new template
    steps are added, and each automatic step gets its scheduled action once.
    """
    now = now or timezone.now()
    templates = templates_for(deal)
    existing = {s.template_id: s for s in current_steps(deal)}
    for template in templates:
        if template.pk in existing:
            continue
        automatic = template.kind == StepKind.AUTOMATIC
        step, _ = DealStep.objects.get_or_create(
            deal=deal,
            template=template,
            entered_at=deal.stage_entered_at,
            defaults={
                "stage_id": deal.stage_id,
                "order": template.order,
                "title": template.title,
                "kind": template.kind,
                "required": template.required,
                "status": DealStep.Status.SCHEDULED if automatic else DealStep.Status.OPEN,
                "created_at": now,
            },
        )
        existing[template.pk] = step
        if automatic:
            scheduling.schedule_step(step, template, now)
    return sorted(existing.values(), key=lambda s: (s.order, s.pk))


def enter_stage(*, deal: Deal, stage_id: int, entered_at: datetime.datetime) -> int:
    """Handle "entered stage": make the checklist and start what is due at once.

    Does nothing when the deal has moved on since (the event is late): its
    checklist for that stay would never be shown or enforced.
    """
    if (
        deal.stage_id != stage_id
        or deal.stage_entered_at != entered_at
        or deal.status != Deal.Status.OPEN
    ):
        return 0
    scheduling.cancel_for(deal.pk, except_entered_at=entered_at)
    steps = instantiate(deal)
    if not steps:
        return 0
    scheduling.dispatch(deal_ids=[deal.pk])
    return len(steps)


def leave(deal: Deal) -> int:
    """The deal left the stage or closed: its waiting timed steps will not run."""
    if deal.status == Deal.Status.OPEN:
        return scheduling.cancel_for(deal.pk, except_entered_at=deal.stage_entered_at)
    return scheduling.cancel_for(deal.pk)


def _check_current(step: DealStep, deal: Deal) -> None:
    if step.stage_id != deal.stage_id or step.entered_at != deal.stage_entered_at:
        raise Conflict("This step belongs to an earlier stay of the deal in that stage.")


@transaction.atomic
def step_complete(*, actor: User, deal: Deal, step: DealStep, note: str = "") -> DealStep:
    """Tick a step: who did it and when. An automatic step ticked by hand will not run."""
    _check_current(step, deal)
    if step.status == DealStep.Status.DONE:
        return step
    previous = step.status
    step.status, step.done_at, step.done_by = DealStep.Status.DONE, timezone.now(), actor
    step.note = note[:300]
    step.save(update_fields=["status", "done_at", "done_by", "note"])
    ScheduledAction.objects.filter(deal_step=step, status=ScheduledAction.Status.WAITING).update(
        status=ScheduledAction.Status.CANCELLED, note="Done by hand.", updated_at=timezone.now()
    )
    audit.log_event(
        actor=actor,
        instance=deal,
        action=AuditEntry.Action.UPDATED,
        field="checklist",
        old=previous,
        new=DealStep.Status.DONE,
        note=step.title,
    )
    return step


@transaction.atomic
def step_reopen(*, actor: User, deal: Deal, step: DealStep) -> DealStep:
    """Untick a step somebody ticked by mistake; it is open again (not rescheduled)."""
    _check_current(step, deal)
    if step.status != DealStep.Status.DONE:
        raise Conflict("This step is not done.")
    step.status, step.done_at, step.done_by = DealStep.Status.OPEN, None, None
    step.save(update_fields=["status", "done_at", "done_by"])
    audit.log_event(
        actor=actor,
        instance=deal,
        action=AuditEntry.Action.UPDATED,
        field="checklist",
        old=DealStep.Status.DONE,
        new=DealStep.Status.OPEN,
        note=step.title,
    )
    return step
