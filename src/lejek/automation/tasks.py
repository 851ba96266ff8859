"""Background tasks: thin entry points that take ids and are safe to run twice."""

from django.tasks import task

from lejek.automation import engine, events, ticker, webhooks


@task
def handle_event(event_id: int) -> str:
    """React to one event: checklists, matching rules, webhook subscriptions."""
    return events.handle(event_id)


@task
def execute_run(run_id: int) -> str:
    """Run (or retry) one automation run; a run already claimed or finished is left alone."""
    return engine.execute(run_id)


@task
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.attempt(delivery_id)


@task
def tick(chain: str = "") -> dict[str, int]:
    """Do the time-based work that is due, then queue the next tick of this chain."""
    return ticker.tick_and_continue(chain)
