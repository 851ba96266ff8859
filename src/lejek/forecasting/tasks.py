"""The weekly forecast snapshot: a task that saves it and queues itself a week later."""

from typing import Any

from django.tasks import task

from lejek.forecasting import schedule, services


@task
def weekly_snapshots(chain: str = "") -> Any:
    """Safe to run twice: a week that already has its snapshots gets no more.

    With a `chain` (see `schedule`) it queues the next week's run, unless a newer chain
    has taken over; without one it only saves.
    """
    return schedule.run_in_chain(chain, services.weekly_snapshots)
