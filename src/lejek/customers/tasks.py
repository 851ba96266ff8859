"""Background tasks: thin, take plain values, safe to run twice."""

import datetime

from django.tasks import task

from lejek.customers import renewals


@task
def open_due_renewals(today: str | None = None) -> list[int]:
    """Open the renewal deals due by `today` (ISO date; default: the local date). Run daily
    (cron, `manage.py customers_renewals`, or a scheduler); idempotent."""
    day = datetime.date.fromisoformat(today) if today else None
    return renewals.create_due(today=day)
