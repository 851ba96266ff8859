"""Recurring jobs run from the tick: once per period, caught up once after a pause."""

import datetime
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from lejek.automation import periodic, ticker
from lejek.automation.models import State

pytestmark = pytest.mark.django_db


def test_the_apps_register_their_recurring_jobs() -> None:
    assert {
        "salesops.weekly_audits",
        "salesops.reconcile_statements",
        "customers.renewals",
        "scoring.decay",
    } <= set(periodic.JOBS)


def test_a_job_runs_once_per_period(monkeypatch: Any) -> None:
    calls: list[str] = []
    monkeypatch.setattr(periodic, "JOBS", {})
    task = mock.Mock(name="task")
    periodic.register("test.job", task, datetime.timedelta(days=1))
    with mock.patch.object(
        periodic.queue, "enqueue", side_effect=lambda t: calls.append("q") or True
    ):
        now = timezone.now()
        assert periodic.run_due(now) == 1
        assert periodic.run_due(now + datetime.timedelta(hours=23)) == 0
        # A worker down for a week catches up with one run, not seven.
        assert periodic.run_due(now + datetime.timedelta(days=8)) == 1
        assert periodic.run_due(now + datetime.timedelta(days=8, hours=1)) == 0
    assert calls == ["q", "q"]
    assert State.objects.filter(name="periodic:test.job").exists()


def test_the_tick_runs_the_due_jobs(monkeypatch: Any) -> None:
    monkeypatch.setattr(periodic, "JOBS", {})
    task = mock.Mock(name="task")
    periodic.register("test.tick", task, datetime.timedelta(hours=1))
    with mock.patch.object(periodic.queue, "enqueue", return_value=True) as enqueue:
        counts = ticker.tick()
    assert counts["periodic"] == 1
    enqueue.assert_called_once_with(task)


def test_a_job_that_could_not_be_queued_is_retried_next_tick(monkeypatch: Any) -> None:
    monkeypatch.setattr(periodic, "JOBS", {})
    periodic.register("test.retry", mock.Mock(), datetime.timedelta(days=1))
    now = timezone.now()
    with mock.patch.object(periodic.queue, "enqueue", return_value=False):
        assert periodic.run_due(now) == 0
    with mock.patch.object(periodic.queue, "enqueue", return_value=True):
        assert periodic.run_due(now + datetime.timedelta(minutes=1)) == 1
