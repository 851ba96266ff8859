"""The automation pages: who sees them, forms saving through the services, the checklist."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lejek.accounts.models import User
from lejek.automation import rules
from lejek.automation.models import (
    AutomationRun,
    DealStep,
    EmailTemplate,
    Holiday,
    Rule,
    WebhookSubscription,
)
from lejek.automation.tests.helpers import DEMO, make_deal, stage
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db

PAGES = [
    ("automation:rule-list", {}),
    ("automation:rule-create", {}),
    ("automation:checklist-overview", {}),
    ("automation:calendar", {}),
    ("automation:webhook-list", {}),
    ("automation:run-list", {}),
]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_for_staff_only(
    name: str, kwargs: dict[str, Any], admin: User, manager: User, owner: User, outbound: Pipeline
) -> None:
    url = reverse(name, kwargs=kwargs)
    assert _client(admin).get(url).status_code == 200
    assert _client(manager).get(url).status_code == 200
    assert _client(owner).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_rule_editor_saves_and_shows_errors(admin: User, outbound: Pipeline) -> None:
    EmailTemplate.objects.create(key="hi", language="en", name="Hi", subject="Hi", body="Hi")
    client = _client(admin)
    data = {
        "name": "Greet",
        "entity_type": "deal",
        "trigger": "won",
        "trigger_params": "{}",
        "conditions": '[{"field": "amount", "op": "gte", "value": 100}]',
        "actions": '[{"type": "send_email", "params": {"template": "nope"}}]',
        "is_active": "on",
    }
    response = client.post(reverse("automation:rule-create"), data)
    assert response.status_code == 200
    assert "No email template" in response.content.decode()
    data["actions"] = "not json"
    assert "not valid JSON" in client.post(reverse("automation:rule-create"), data).content.decode()
    data["actions"] = '[{"type": "send_email", "params": {"template": "hi"}}]'
    response = client.post(reverse("automation:rule-create"), data)
    assert response.status_code == 302
    rule = Rule.objects.get(name="Greet")
    assert rule.conditions == [{"field": "amount", "op": "gte", "value": 100}]
    edit = client.get(reverse("automation:rule-edit", args=[rule.pk]))
    assert "Greet" in edit.content.decode()


def test_manager_sees_the_editor_but_cannot_save(manager: User) -> None:
    data = {"name": "x", "entity_type": "deal", "trigger": "won", "actions": "[]"}
    assert _client(manager).post(reverse("automation:rule-create"), data).status_code == 403


def test_dry_run_page(admin: User, owner: User, outbound: Pipeline) -> None:
    rule = rules.rule_create(
        actor=admin,
        data={
            "name": "Big deals",
            "entity_type": "deal",
            "trigger": "won",
            "conditions": [{"field": "title", "op": "contains", "value": "acme"}],
            "actions": [
                {"type": "set_field", "params": {"field": "next_step", "value": "Kick-off"}}
            ],
        },
    )
    deal = make_deal(owner, outbound, "Cold prospect", None)
    url = reverse("automation:rule-dry-run", args=[rule.pk])
    body = _client(admin).get(url, {"entity_id": deal.pk}).content.decode()
    assert "Set next_step to &#x27;Kick-off&#x27;" in body
    assert "bi-check-lg" in body
    missing = _client(admin).get(url, {"entity_id": 999999}).content.decode()
    assert "was not found" in missing


def test_checklist_editor_saves_steps_and_gate_fields(admin: User, outbound: Pipeline) -> None:
    target = stage(outbound, "Cold prospect")
    url = reverse("automation:checklist-edit", args=[target.pk])
    assert _client(admin).get(url).status_code == 200
    data = {
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
        "steps-0-title": "Find the decision maker",
        "steps-0-kind": "manual",
        "steps-0-required": "on",
        "steps-0-anchor": "stage_entered",
        "steps-0-offset_value": "0",
        "steps-0-offset_unit": "hours",
        "steps-0-actions": "",
        "required_fields": ["amount"],
    }
    response = _client(admin).post(url, data)
    assert response.status_code == 302
    overview = _client(admin).get(reverse("automation:checklist-overview")).content.decode()
    assert "Find the decision maker" in overview
    assert "Send a confirmation email" in overview  # the shipped SOP on "Demo booked"


def test_calendar_add_and_remove(admin: User) -> None:
    client = _client(admin)
    url = reverse("automation:calendar")
    response = client.post(url, {"date": "2030-11-11", "name": "Independence Day"})
    assert response.status_code == 302
    holiday = Holiday.objects.get()
    assert "Independence Day" in client.get(url, {"year": 2030}).content.decode()
    assert client.post(url, {"date": "2030-11-11", "name": "Again"}).status_code == 200
    client.post(reverse("automation:holiday-delete", args=[holiday.pk]))
    assert not Holiday.objects.exists()


def test_webhook_page_creates_and_refuses_private_urls(admin: User) -> None:
    client = _client(admin)
    url = reverse("automation:webhook-list")
    refused = client.post(url, {"name": "x", "url": "http://127.1/", "event_types": ["deal.won"]})
    assert refused.status_code == 200
    assert "not a public address" in refused.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_deal_checklist_partial_ticks_with_htmx(
    owner: User, outsider: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    deal = run_on_commit(make_deal, owner, outbound, DEMO, None)
    client = _client(owner)
    url = reverse("automation:deal-checklist", args=[deal.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    step = DealStep.objects.filter(deal=deal).order_by("order").first()
    assert step is not None
    toggle = reverse("automation:deal-checklist-toggle", args=[deal.pk, step.pk])
    partial = client.post(toggle, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and "Done by Owner" in body
    step.refresh_from_db()
    assert step.status == DealStep.Status.DONE and step.done_by == owner
    client.post(toggle, headers={"HX-Request": "true"})
    step.refresh_from_db()
    assert step.status == DealStep.Status.OPEN
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).post(toggle).status_code == 404


def test_run_log_lists_runs(admin: User, owner: User, outbound: Pipeline) -> None:
    deal = make_deal(owner, outbound, "Cold prospect", None)
    AutomationRun.objects.create(
        run_key="k",
        source="rule",
        title="Nightly <b>clean</b>",
        entity_type="deal",
        entity_id=deal.pk,
        status="failed",
        last_error="boom",
    )
    body = _client(admin).get(reverse("automation:run-list"), {"status": "failed"}).content.decode()
    assert "Nightly &lt;b&gt;clean&lt;/b&gt;" in body and "boom" in body


@pytest.mark.parametrize(("language", "word"), [("pl", "Reguły"), ("ru", "Правила")])
def test_pages_are_translated(admin: User, language: str, word: str) -> None:
    response = _client(admin).get(reverse("automation:rule-list"), HTTP_ACCEPT_LANGUAGE=language)
    assert word in response.content.decode()
