"""Runs: once per cause, once per run, retried with backoff, then failed, never blocking users."""

from typing import Any

import pytest
from django.core import mail as django_mail

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.automation import engine, events, rules, services, tasks
from lejek.automation.models import AutomationRun, EmailTemplate, Event, Rule
from lejek.automation.tests.helpers import free_port, make_deal, make_person, stage
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db

TARGET = "Conversation started"


@pytest.fixture
def hello(db: Any) -> EmailTemplate:
    return EmailTemplate.objects.create(
        key="hello", language="en", name="Hello", subject="Hi {{ contact.first_name }}", body="Hi"
    )


@pytest.fixture
def email_rule(admin: User, outbound: Pipeline, hello: EmailTemplate) -> Rule:
    return rules.rule_create(
        actor=admin,
        data={
            "name": "Say hello",
            "entity_type": "deal",
            "trigger": "stage_entered",
            "trigger_params": {"stage_id": stage(outbound, TARGET).pk},
            "actions": [{"type": "send_email", "params": {"template": "hello"}}],
        },
    )


@pytest.fixture
def deal(owner: User, outbound: Pipeline, run_on_commit: Any) -> Deal:
    return run_on_commit(make_deal, owner, outbound, "Cold prospect", make_person(owner))


def _move_by_api(api: Any, deal: Deal, stage_id: int, run_on_commit: Any) -> Any:
    deal.refresh_from_db()
    return run_on_commit(
        api.post, f"deals/{deal.pk}/move", {"stage_id": stage_id, "version": deal.version}
    )


def test_rule_sends_once_when_its_event_is_handled_twice(
    api_as: Any, owner: User, outbound: Pipeline, email_rule: Rule, deal: Deal, run_on_commit: Any
) -> None:
    response = _move_by_api(api_as(owner), deal, stage(outbound, TARGET).pk, run_on_commit)
    assert response.status_code == 200
    assert [m.subject for m in django_mail.outbox] == ["Hi Ann"]
    event = Event.objects.get(kind="stage_changed", entity_id=deal.pk, data__to_stage=TARGET)
    Event.objects.filter(pk=event.pk).update(handled_at=None)  # as if a worker died after sending
    run_on_commit(events.handle, event.pk)
    run_on_commit(tasks.handle_event.enqueue, event.pk)
    assert len(django_mail.outbox) == 1
    run = AutomationRun.objects.get(rule=email_rule)
    assert run.status == AutomationRun.Status.SUCCEEDED


def test_a_run_executed_twice_sends_once(
    owner: User, outbound: Pipeline, email_rule: Rule, deal: Deal, run_on_commit: Any
) -> None:
    run = engine.run_create(
        key="manual:1",
        source=AutomationRun.Source.RULE,
        title="Say hello",
        entity_type="deal",
        entity_id=deal.pk,
        run_actions=email_rule.actions,
        actor=owner,
        enqueue=False,
    )
    assert run is not None
    assert engine.execute(run.pk) == "succeeded"
    assert engine.execute(run.pk) == "not claimed"
    tasks.execute_run.enqueue(run.pk)
    assert len(django_mail.outbox) == 1
    assert (
        engine.run_create(
            key="manual:1",
            source="rule",
            title="again",
            entity_type="deal",
            entity_id=deal.pk,
            run_actions=email_rule.actions,
            actor=owner,
        )
        is None
    )


def test_failing_rule_is_retried_then_failed_without_blocking_the_request(
    api_as: Any,
    owner: User,
    admin: User,
    outbound: Pipeline,
    email_rule: Rule,
    deal: Deal,
    clock: Any,
    run_on_commit: Any,
    tick: Any,
    settings: Any,
) -> None:
    # Nothing listens on this port: every attempt to send fails to connect.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    response = _move_by_api(api_as(owner), deal, stage(outbound, TARGET).pk, run_on_commit)
    assert response.status_code == 200
    assert response.json()["stage"]["name"] == TARGET

    run = AutomationRun.objects.get(rule=email_rule)
    assert (run.status, run.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in run.last_error
    waits = []
    for _ in range(run.max_attempts - 1):
        clock.advance(seconds=1)
        tick()  # not due yet: nothing happens
        assert AutomationRun.objects.get(pk=run.pk).attempts == len(waits) + 1
        before = AutomationRun.objects.get(pk=run.pk)
        waits.append((before.next_attempt_at - clock()).total_seconds() + 1)
        clock.set(before.next_attempt_at)
        tick()
    run.refresh_from_db()
    assert run.status == AutomationRun.Status.FAILED
    assert run.attempts == run.max_attempts == 5
    assert waits == [60, 120, 240, 480]  # doubling waits
    # The failed sends left no email activity behind, and the timeline says what happened.
    assert not Activity.objects.filter(deal=deal, kind=Activity.Kind.EMAIL).exists()
    entry = AuditEntry.objects.get(entity_type="deal", entity_id=deal.pk, field="automation")
    assert entry.new_value == "failed"
    assert entry.note.startswith("Say hello: ConnectionRefusedError")

    # An admin can give it another go once mail works again.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    run_on_commit(services.run_retry, actor=admin, run=run)
    run.refresh_from_db()
    assert run.status == AutomationRun.Status.SUCCEEDED
    assert len(django_mail.outbox) == 1


def test_permanent_errors_fail_at_once(
    owner: User, admin: User, outbound: Pipeline, deal: Deal, hello: EmailTemplate
) -> None:
    run = engine.run_create(
        key="manual:2",
        source="rule",
        title="To nobody",
        entity_type="deal",
        entity_id=deal.pk,
        run_actions=[{"type": "send_email", "params": {"template": "hello", "to": "owner"}}],
        actor=owner,
        enqueue=False,
    )
    User.objects.filter(pk=owner.pk).update(email="")
    assert run is not None
    assert engine.execute(run.pk) == "failed"
    run.refresh_from_db()
    assert run.attempts == 1
    assert "Nobody to send to" in run.last_error


def test_a_retry_resumes_after_the_actions_that_worked(
    owner: User, outbound: Pipeline, deal: Deal, hello: EmailTemplate, clock: Any
) -> None:
    run = engine.run_create(
        key="manual:3",
        source="rule",
        title="Two steps",
        entity_type="deal",
        entity_id=deal.pk,
        run_actions=[
            {"type": "send_email", "params": {"template": "hello"}},
            {"type": "call_webhook", "params": {"subscription_id": 999}},
        ],
        actor=owner,
        enqueue=False,
    )
    assert run is not None
    assert engine.execute(run.pk) == "failed"  # no such webhook: permanent
    run.refresh_from_db()
    assert run.completed_actions == 1
    assert run.results == ["Sent “Hi Ann” to ann@example.com"]
    assert len(django_mail.outbox) == 1
