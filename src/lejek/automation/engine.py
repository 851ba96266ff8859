"""Running automation: create runs once per cause, execute them once, retry, log.

A run is claimed with one guarded UPDATE (pending → running), so a task that
is delivered twice executes once. Its actions run in order and the progress is
recorded after each, so a retry resumes after the last action that succeeded
and an email already sent is not sent again. Database actions run in a
transaction with their progress; an email is sent outside any transaction (a
slow mail server must not hold locks) and recorded right after. Errors a
retry cannot fix (a missing template, a refused permission) fail the run at
once; others are retried with growing waits and then marked failed. Nothing here
raises into the caller: a failing action never blocks a user's request.
"""

import datetime
import logging
import traceback
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from lejek.accounts.models import User
from lejek.automation import actions, context, queue, tasks
from lejek.automation.models import AutomationRun, DealStep, Rule
from lejek.core.errors import DomainError, VersionConflict
from lejek.core.models import AuditEntry

logger = logging.getLogger(__name__)

# A run left "running" this long belonged to a worker that died; the tick hands it out again.
STUCK_AFTER = datetime.timedelta(minutes=15)


def run_create(
    *,
    key: str,
    source: str,
    title: str,
    entity_type: str,
    entity_id: int,
    run_actions: list[dict[str, Any]],
    actor: User | None,
    rule: Rule | None = None,
    deal_step: DealStep | None = None,
    trigger: str = "",
    event: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> AutomationRun | None:
    """A new pending run, queued after commit; None when a run with this key already exists."""
    try:
        with transaction.atomic():
            run = AutomationRun.objects.create(
                run_key=key,
                source=source,
                title=title[:200],
                entity_type=entity_type,
                entity_id=entity_id,
                actions=run_actions,
                actor=actor,
                rule=rule,
                deal_step=deal_step,
                trigger=trigger,
                event=event or {},
                max_attempts=queue.max_attempts(),
            )
    except IntegrityError:
        return None
    if enqueue:
        queue.enqueue_on_commit(tasks.execute_run, run.pk)
    return run


def _claim(run_id: int, now: datetime.datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        AutomationRun.objects.filter(due, pk=run_id, status=AutomationRun.Status.PENDING).update(
            status=AutomationRun.Status.RUNNING,
            started_at=now,
            attempts=F("attempts") + 1,
        )
    )


def execute(run_id: int) -> str:
    """Execute a pending run that is due; anything else (done, running, not yet due) is left."""
    if not _claim(run_id, timezone.now()):
        return "not claimed"
    run = AutomationRun.objects.select_related("actor").get(pk=run_id)
    record = context.load(run.entity_type, run.entity_id)
    if record is None:
        _finish(run, AutomationRun.Status.SKIPPED, "The record no longer exists.")
        return "skipped"
    actor = _actor(run, record)
    ctx = actions.Context(run=run, record=record, actor=actor, event=run.event, now=timezone.now())
    results = list(run.results)
    for index in range(run.completed_actions, len(run.actions)):
        spec = run.actions[index]
        try:
            if actions.is_external(spec):
                # Sent first, recorded after: no transaction is open while another server answers.
                results.append(actions.execute(spec, ctx, index))
                _progress(run, index, results)
            else:
                with transaction.atomic():
                    results.append(actions.execute(spec, ctx, index))
                    _progress(run, index, results)
        except Exception as exc:
            return _failed(run, exc, permanent=_is_permanent(exc))
    _finish(run, AutomationRun.Status.SUCCEEDED, "; ".join(results) or "Nothing to do.")
    return "succeeded"


def _actor(run: AutomationRun, record: Any) -> User:
    """Whose rights the actions use: the run's (a rule's author) while they still see the
    record, else the record's owner."""
    actor = run.actor
    if actor is not None and actor.is_active:
        model = type(record)
        if model.objects.visible_to(actor).filter(pk=record.pk).exists():
            return actor
    return record.owner  # type: ignore[no-any-return]


def _progress(run: AutomationRun, index: int, results: list[str]) -> None:
    AutomationRun.objects.filter(pk=run.pk).update(completed_actions=index + 1, results=results)


def _is_permanent(exc: Exception) -> bool:
    """Domain errors say the input is wrong; waiting will not change that (a conflict might)."""
    return isinstance(exc, DomainError) and not isinstance(exc, VersionConflict)


def _failed(run: AutomationRun, exc: Exception, *, permanent: bool) -> str:
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    error = f"{type(exc).__name__}: {message}"
    logger.info("Automation run %s failed: %s", run.pk, error)
    attempts = run.attempts
    if permanent or attempts >= run.max_attempts:
        _finish(run, AutomationRun.Status.FAILED, error, detail=traceback.format_exc())
        return "failed"
    retry_at = timezone.now() + queue.backoff(attempts)
    AutomationRun.objects.filter(pk=run.pk).update(
        status=AutomationRun.Status.PENDING,
        next_attempt_at=retry_at,
        last_error=error[:2000],
    )
    queue.enqueue(tasks.execute_run, run.pk, at=retry_at)
    return "will retry"


def _finish(run: AutomationRun, status: str, summary: str, detail: str = "") -> None:
    """Close the run, tick its checklist step, and note it on the record's timeline."""
    now = timezone.now()
    with transaction.atomic():
        AutomationRun.objects.filter(pk=run.pk).update(
            status=status,
            finished_at=now,
            next_attempt_at=None,
            last_error="" if status == AutomationRun.Status.SUCCEEDED else (detail or summary),
        )
        if run.deal_step_id is not None:
            _update_step(run.deal_step_id, status, summary, now)
        AuditEntry.objects.create(
            entity_type=run.entity_type,
            entity_id=run.entity_id,
            action=AuditEntry.Action.UPDATED,
            field="automation",
            new_value=status,
            note=f"{run.title}: {summary}"[:2000],
            at=now,
        )


def _update_step(step_id: int, status: str, summary: str, now: datetime.datetime) -> None:
    step_status: str = {
        AutomationRun.Status.SUCCEEDED: DealStep.Status.DONE,
        AutomationRun.Status.FAILED: DealStep.Status.FAILED,
        AutomationRun.Status.SKIPPED: DealStep.Status.SKIPPED,
    }[AutomationRun.Status(status)]
    # A step somebody ticked by hand meanwhile stays as they left it.
    DealStep.objects.filter(pk=step_id).exclude(status=DealStep.Status.DONE).update(
        status=step_status,
        done_at=now if step_status == DealStep.Status.DONE else None,
        note=summary[:300],
    )


def requeue_due(now: datetime.datetime) -> int:
    """Hand out runs whose retry is due, and runs left behind by a dead worker."""
    AutomationRun.objects.filter(
        status=AutomationRun.Status.RUNNING, started_at__lt=now - STUCK_AFTER
    ).update(status=AutomationRun.Status.PENDING, next_attempt_at=now)
    due = AutomationRun.objects.filter(status=AutomationRun.Status.PENDING).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lt=now - datetime.timedelta(minutes=2))
    )
    count = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        queue.enqueue(tasks.execute_run, pk)
        count += 1
    return count
