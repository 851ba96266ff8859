"""The weekly snapshot chain starts by itself, keeps one link alive, and hands over."""

import datetime

import pytest
from django.tasks import default_task_backend
from django.tasks.signals import task_started
from django.test import override_settings
from django.utils import timezone

from lejek.automation.models import State
from lejek.forecasting import schedule, tasks

DEFERRING = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued(db):  # type: ignore[no-untyped-def]
    with override_settings(TASKS=DEFERRING):
        default_task_backend.clear()  # type: ignore[attr-defined]
        schedule._checked_at = None
        yield default_task_backend.results  # type: ignore[attr-defined]
    schedule._checked_at = None


def test_nothing_is_started_where_tasks_cannot_wait(db) -> None:  # type: ignore[no-untyped-def]
    assert schedule.ensure_chain() is None  # the immediate backend of the tests
    assert not State.objects.filter(name=schedule.CHAIN).exists()


def test_ensure_starts_one_chain_and_restarts_a_dead_one(queued) -> None:  # type: ignore[no-untyped-def]
    chain = schedule.ensure_chain()
    assert chain is not None
    assert len(queued) == 1 and queued[0].args == [chain]
    assert schedule.ensure_chain() is None  # alive: nothing more queued
    assert len(queued) == 1
    later = timezone.now() + schedule.GRACE + datetime.timedelta(minutes=1)
    again = schedule.ensure_chain(now=later)  # its run is overdue: taken for dead
    assert again not in (None, chain)
    assert len(queued) == 2


def test_a_link_runs_then_queues_the_next_week(queued, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runs: list[int] = []
    monkeypatch.setattr(tasks.services, "weekly_snapshots", lambda: runs.append(1) or 1)
    chain = schedule.start_chain()
    queued.clear()
    assert tasks.weekly_snapshots.call(chain) == 1
    assert runs == [1]
    (link,) = queued
    assert link.args == [chain]
    assert link.task.run_after > timezone.now() + datetime.timedelta(days=6)
    next_at = State.objects.get(name=schedule.CHAIN).value["next_at"]
    assert next_at == link.task.run_after.isoformat()
    # A newer chain took over: the old link does nothing and queues nothing.
    schedule.start_chain()
    queued.clear()
    assert tasks.weekly_snapshots.call(chain) == {"superseded": 1}
    assert runs == [1] and not queued


def test_a_worker_running_any_task_starts_the_chain(queued) -> None:  # type: ignore[no-untyped-def]
    other = default_task_backend.enqueue(tasks.weekly_snapshots, [], {})
    queued.clear()
    task_started.send(sender=type(default_task_backend), task_result=other)
    assert State.objects.filter(name=schedule.CHAIN).exists()
    assert len(queued) == 1
    task_started.send(sender=type(default_task_backend), task_result=other)
    assert len(queued) == 1  # checked at most once an hour per process
