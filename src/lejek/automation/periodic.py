"""Recurring background jobs of other apps, run from the automation tick.

An app registers a task and how often it should run (`register`, from its AppConfig's
`ready`); every tick queues the jobs that are due and notes when each is due next in a
`State` row, so a job runs once per period however many workers tick, and a worker that
was down catches up with one run, not a burst. The jobs themselves must be safe to run
twice (each one here is).
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lejek.automation import queue
from lejek.automation.models import State

logger = logging.getLogger(__name__)
PREFIX = "periodic:"


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: datetime.timedelta


JOBS: dict[str, Job] = {}


def register(name: str, task: Task, every: datetime.timedelta) -> None:
    JOBS[name] = Job(name, task, every)


def run_due(now: datetime.datetime | None = None) -> int:
    """Queue every registered job that is due; returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for job in JOBS.values():
        with transaction.atomic():
            state, _ = State.objects.select_for_update().get_or_create(name=PREFIX + job.name)
            due = parse_datetime((state.value or {}).get("next_at", ""))
            if due is not None and due > now:
                continue
            state.value = {"next_at": (now + job.every).isoformat(), "last_at": now.isoformat()}
            state.updated_at = now
            state.save(update_fields=["value", "updated_at"])
        if queue.enqueue(job.task):
            queued += 1
        else:
            logger.warning("Could not queue the periodic job %s; the next tick retries.", job.name)
            State.objects.filter(name=PREFIX + job.name).update(value={})
    return queued
