"""Keeping the weekly snapshot chain alive.

`tasks.weekly_snapshots` saves the week's snapshots and queues itself a week later,
like the automation's tick chain (`lejek.automation.ticker`). Nothing has to start it by
hand: `ensure_chain` starts a chain when none is alive, and it is called, at most once an
hour per process, whenever a task starts in a worker (see `apps.ForecastingConfig`) and
when someone opens the forecast. `manage.py forecast_schedule` starts one explicitly.

Only where tasks can be deferred (the database queue or RQ): the immediate backend
would save the snapshots inside whatever request happened to call it.
"""

import datetime
import time
import uuid
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lejek.automation import queue
from lejek.automation.models import State

CHAIN = "forecast_weekly_chain"
EVERY = datetime.timedelta(days=7)
# A chain whose next run is this late is taken for dead (a lost task, a worker that was
# down) and a new one is started; the old one, should it wake, sees it was superseded.
GRACE = datetime.timedelta(hours=6)
CHECK_EVERY = 3600.0  # seconds between checks in one process
_checked_at: float | None = None


def _task() -> Any:
    from lejek.forecasting import tasks  # tasks imports this module

    return tasks.weekly_snapshots


def start_chain() -> str:
    """Queue the weekly task now under a new chain id; older chains stop at their next run."""
    chain = uuid.uuid4().hex
    State.objects.update_or_create(
        name=CHAIN, defaults={"value": {"chain": chain, "next_at": timezone.now().isoformat()}}
    )
    queue.enqueue(_task(), chain)
    return chain


def ensure_chain(now: datetime.datetime | None = None) -> str | None:
    """Start a chain when none is alive; the new chain's id, or None when one is alive."""
    if not queue.can_defer(_task()):
        return None
    now = now or timezone.now()
    state = State.objects.filter(name=CHAIN).first()
    next_at = parse_datetime((state.value or {}).get("next_at", "")) if state else None
    if next_at is not None and next_at > now - GRACE:
        return None
    return start_chain()


def ensure_chain_now_and_then() -> None:
    """`ensure_chain` at most once an hour per process: cheap enough to call anywhere."""
    global _checked_at
    moment = time.monotonic()
    if _checked_at is not None and moment - _checked_at < CHECK_EVERY:
        return
    _checked_at = moment
    ensure_chain()


def run_in_chain(chain: str, run: Any) -> Any:
    """One link of the chain: skip if superseded, run, then queue the next link."""
    if chain:
        state = State.objects.filter(name=CHAIN).first()
        if state is None or state.value.get("chain") != chain:
            return {"superseded": 1}
    result = run()
    if chain and queue.can_defer(_task()):
        next_at = timezone.now() + EVERY
        State.objects.filter(name=CHAIN).update(
            value={"chain": chain, "next_at": next_at.isoformat()}, updated_at=timezone.now()
        )
        queue.enqueue(_task(), chain, at=next_at)
    return result
