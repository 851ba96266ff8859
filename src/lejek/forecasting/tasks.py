"""The weekly forecast snapshot: a task that saves it and queues itself a week later."""

import datetime

from django.tasks import task
from django.utils import timezone

from lejek.automation import queue
from lejek.forecasting import services


@task
def weekly_snapshots() -> int:
    """Safe to run twice: a week that already has its snapshots gets no more."""
    saved = services.weekly_snapshots()
    queue.enqueue(weekly_snapshots, at=timezone.now() + datetime.timedelta(days=7))
    return saved
