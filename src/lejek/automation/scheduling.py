"""Timed actions on deals: when each is due, and starting the ones whose time has come.

Anchors:
- stage_entered: the deal's entry into the stage;
- meeting_booked: the moment a meeting is first seen on the deal (at once if it is there);
- meeting_start: the meeting's start, followed while the action waits (a moved meeting
  moves its reminder); actions before it expire when it starts;
- meeting_done: the first meeting marked done after the deal entered the stage.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.activities.models import Activity
from lejek.automation import business_days, context, engine
from lejek.automation.models import Anchor, AutomationRun, DealStep, ScheduledAction
from lejek.pipelines.models import Deal


def _anchor_time(
    action: ScheduledAction,
    entered_at: datetime.datetime,
    meetings: list[Activity],
    now: datetime.datetime,
) -> datetime.datetime | None:
    if action.anchor == Anchor.STAGE_ENTERED:
        return entered_at
    if action.anchor == Anchor.MEETING_BOOKED:
        # Fixed once seen: booking a second meeting must not send the first email again.
        return (action.due_at or now) if meetings else None
    if action.anchor == Anchor.MEETING_START:
        meeting = context.current_meeting(meetings)
        return meeting.due_at if meeting is not None else None
    if action.anchor == Anchor.MEETING_DONE:
        done = [m.done_at for m in meetings if m.done_at is not None and m.done_at >= entered_at]
        return min(done) if done else None
    return None


def compute(
    action: ScheduledAction,
    entered_at: datetime.datetime,
    meetings: list[Activity],
    now: datetime.datetime,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(due_at, expires_at): when to run it, and after when it is too late (None: never)."""
    anchor = _anchor_time(action, entered_at, meetings, now)
    if anchor is None:
        return None, None
    if action.anchor == Anchor.MEETING_BOOKED:
        return anchor, None
    due = business_days.apply_offset(anchor, action.offset_value, action.offset_unit)
    expires = anchor if action.anchor == Anchor.MEETING_START and due < anchor else None
    return due, expires


def schedule_step(step: DealStep, template: Any, now: datetime.datetime) -> ScheduledAction:
    """The scheduled action of an automatic step (created once per step)."""
    action, _ = ScheduledAction.objects.get_or_create(
        deal_step=step,
        defaults={
            "deal_id": step.deal_id,
            "title": step.title,
            "actions": template.actions,
            "anchor": template.anchor or Anchor.STAGE_ENTERED,
            "offset_value": template.offset_value,
            "offset_unit": template.offset_unit,
            "created_at": now,
            "updated_at": now,
        },
    )
    return action


def _why_not(action: ScheduledAction, deal: Deal) -> str:
    """Why the action should no longer run ("" when it should)."""
    step = action.deal_step
    if deal.status != Deal.Status.OPEN or deal.deleted_at is not None:
        return "The deal is closed."
    if step is None:
        return ""
    if deal.stage_id != step.stage_id or deal.stage_entered_at != step.entered_at:
        return "The deal left the stage."
    if step.status in {DealStep.Status.DONE, DealStep.Status.SKIPPED}:
        return "The step was already done by hand."
    return ""


def _close(action: ScheduledAction, status: str, note: str, now: datetime.datetime) -> None:
    ScheduledAction.objects.filter(pk=action.pk).update(status=status, note=note, updated_at=now)
    if action.deal_step_id is not None and status == ScheduledAction.Status.SKIPPED:
        DealStep.objects.filter(pk=action.deal_step_id).exclude(status=DealStep.Status.DONE).update(
            status=DealStep.Status.SKIPPED, note=note[:300]
        )


def _start(action: ScheduledAction, deal: Deal, now: datetime.datetime) -> None:
    run = engine.run_create(
        key=f"scheduled:{action.pk}",
        source=AutomationRun.Source.STEP,
        title=action.title,
        entity_type="deal",
        entity_id=deal.pk,
        run_actions=action.actions,
        actor=deal.owner,
        deal_step=action.deal_step,
        trigger=action.anchor,
    )
    started: dict[str, Any] = {"status": ScheduledAction.Status.STARTED, "updated_at": now}
    if run is not None:  # None: a concurrent tick started it already
        started["run"] = run
    ScheduledAction.objects.filter(pk=action.pk).update(**started)


def dispatch(now: datetime.datetime | None = None, deal_ids: list[int] | None = None) -> int:
    """Recompute waiting actions' times and start those that are due; returns how many started."""
    now = now or timezone.now()
    waiting = ScheduledAction.objects.filter(status=ScheduledAction.Status.WAITING)
    if deal_ids is not None:
        waiting = waiting.filter(deal_id__in=deal_ids)
    waiting = waiting.select_related("deal", "deal__owner", "deal_step")
    pending = list(waiting.order_by("pk")[:2000])
    if not pending:
        return 0
    meetings = context.meetings_of(sorted({a.deal_id for a in pending}))
    started = 0
    for action in pending:
        deal = action.deal
        with transaction.atomic():
            reason = _why_not(action, deal)
            if reason:
                _close(action, ScheduledAction.Status.CANCELLED, reason, now)
                continue
            entered_at = action.deal_step.entered_at if action.deal_step else deal.stage_entered_at
            due, expires = compute(action, entered_at, meetings.get(deal.pk, []), now)
            if due != action.due_at or expires != action.expires_at:
                ScheduledAction.objects.filter(pk=action.pk).update(
                    due_at=due, expires_at=expires, updated_at=now
                )
            if due is None or due > now:
                continue
            if expires is not None and now >= expires:
                _close(action, ScheduledAction.Status.SKIPPED, "Too late: the meeting began.", now)
                continue
            _start(action, deal, now)
            started += 1
    return started


def cancel_for(deal_id: int, *, except_entered_at: datetime.datetime | None = None) -> int:
    """Cancel a deal's waiting actions (it left the stage, was won or lost)."""
    waiting = ScheduledAction.objects.filter(deal_id=deal_id, status=ScheduledAction.Status.WAITING)
    if except_entered_at is not None:
        waiting = waiting.exclude(deal_step__entered_at=except_entered_at)
    return waiting.update(
        status=ScheduledAction.Status.CANCELLED,
        note="The deal left the stage.",
        updated_at=timezone.now(),
    )
