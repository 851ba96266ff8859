"""Handing work to the task backend without ever failing the caller.

A queue that is down or a backend that cannot defer must not break a user's
request: what could not be queued stays in the database (pending runs, events,
deliveries) and the periodic tick hands it over again.
"""

import datetime
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.utils import timezone

logger = logging.getLogger(__name__)


def can_defer(task: Task) -> bool:
    return bool(task.get_backend().supports_defer)


def enqueue(task: Task, *args: Any, at: datetime.datetime | None = None) -> bool:
    """Queue `task(*args)`, at `at` if given; False when it was left for the tick."""
    try:
        if at is not None and at > timezone.now():
            if not can_defer(task):
                return False
            task = task.using(run_after=at)
        task.enqueue(*args)
    except Exception:
        logger.exception("Could not queue %s%r; the next tick will retry it.", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, at: datetime.datetime | None = None) -> None:
    """Queue once the current transaction commits, so the worker sees the rows it needs."""
    transaction.on_commit(partial(enqueue, task, *args, at=at), robust=True)


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before retry number `attempts`: 1, 2, 4, 8 … times the base, at most a day."""
    base = getattr(settings, "AUTOMATION_RETRY_SECONDS", 60)
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "AUTOMATION_MAX_ATTEMPTS", 5)))
