"""The RQ backend runs an automation task once against the local Redis (127.0.0.1:6379).

It needs a running Redis. Without one the test is skipped on a developer's machine,
but fails in CI (CI=true), where Redis is part of the set-up.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail as django_mail
from django.tasks import task_backends
from django.test import override_settings

from lejek.accounts.models import User
from lejek.automation import engine, tasks
from lejek.automation.models import AutomationRun, EmailTemplate
from lejek.automation.tests.helpers import make_deal, make_person
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db

REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _reset_backends() -> None:
    task_backends.__dict__.pop("settings", None)
    for alias in list(task_backends):
        if hasattr(task_backends._connections, alias):
            del task_backends[alias]


@pytest.fixture
def rq_queue() -> Iterator[str]:
    if not redis_reachable():
        message = f"Redis is not reachable at {REDIS[0]}:{REDIS[1]}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    name = f"lejek-test-{uuid.uuid4().hex[:12]}"
    settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}},
        # Results are looked up through the "default" connection.
        "RQ_QUEUES": {
            queue: {"URL": f"redis://{REDIS[0]}:{REDIS[1]}/15"} for queue in (name, "default")
        },
    }
    with override_settings(**settings):
        _reset_backends()
        try:
            yield name
        finally:
            import django_rq

            django_rq.get_queue(name).empty()
    _reset_backends()


def test_rq_worker_runs_a_run_once(
    owner: User, outbound: Pipeline, run_on_commit: Any, rq_queue: str
) -> None:
    from django_rq import get_connection, get_queue
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    EmailTemplate.objects.create(key="hello", language="en", name="Hi", subject="Hi", body="Hi")
    deal = make_deal(owner, outbound, "Cold prospect", make_person(owner))
    run = engine.run_create(
        key="rq:1",
        source="rule",
        title="Hello over RQ",
        entity_type="deal",
        entity_id=deal.pk,
        run_actions=[{"type": "send_email", "params": {"template": "hello"}}],
        actor=owner,
        enqueue=False,
    )
    assert run is not None
    task = tasks.execute_run.using(queue_name=rq_queue)
    first = task.enqueue(run.pk)
    task.enqueue(run.pk)  # delivered twice: must still send once

    queue = get_queue(rq_queue, job_class=Job)
    assert queue.count == 2
    worker = SimpleWorker([queue], connection=get_connection(rq_queue), job_class=Job)
    worker.work(burst=True)

    assert queue.count == 0
    result = task.get_result(first.id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "succeeded"
    assert len(django_mail.outbox) == 1
    assert AutomationRun.objects.get(pk=run.pk).status == AutomationRun.Status.SUCCEEDED
