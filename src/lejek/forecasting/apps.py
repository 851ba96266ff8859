from typing import Any

from django.apps import AppConfig


def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A worker is running tasks: make sure the weekly snapshot chain is alive too."""
    from lejek.forecasting import schedule

    try:
        schedule.ensure_chain_now_and_then()
    except Exception:  # never fail somebody else's task over the schedule
        import logging

        logging.getLogger(__name__).exception("Could not check the weekly forecast schedule.")


class ForecastingConfig(AppConfig):
    name = "lejek.forecasting"
    label = "forecasting"

    def ready(self) -> None:
        from django.tasks.signals import task_started

        task_started.connect(_task_started, dispatch_uid="forecasting-weekly-chain")
