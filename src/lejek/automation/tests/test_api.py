"""The rest of the API: stage checklists, the calendar, campaigns, the run log; the tick command."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.accounts.models import User
from lejek.automation import seed, ticker
from lejek.automation.models import AutomationRun, Campaign, StepTemplate
from lejek.automation.tests.helpers import DEMO, make_deal, stage
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db


def test_seed_sop_is_made_once_and_keeps_admin_edits(api_as: Any, admin: User) -> None:
    created = api_as(admin).post("pipelines", {"template": "outbound_b2b"})
    assert created.status_code == 201
    demo = next(s for s in created.json()["stages"] if s["name"] == DEMO)
    checklist = api_as(admin).get(f"automation/stages/{demo['id']}/checklist").json()
    assert [s["required"] for s in checklist["steps"]] == [True, False, False, True, False]
    assert [s["offset_value"] for s in checklist["steps"]] == [0, -1, -2, 0, 0]
    steps = [{"title": "Only this", "kind": "manual"}]
    saved = api_as(admin).put(f"automation/stages/{demo['id']}/checklist", {"steps": steps})
    assert saved.status_code == 200
    pipeline = Pipeline.objects.get(pk=created.json()["id"])
    assert seed.ensure_seed_sop(pipeline) is None  # already seeded: nothing added back
    again = api_as(admin).get(f"automation/stages/{demo['id']}/checklist").json()
    assert [s["title"] for s in again["steps"]] == ["Only this"]
    assert StepTemplate.objects.filter(is_active=False).count() == 5  # kept for history


def test_checklist_api_validates_and_needs_an_admin(
    api_as: Any, admin: User, manager: User, outbound: Pipeline
) -> None:
    cold = stage(outbound, "Cold prospect")
    url = f"automation/stages/{cold.pk}/checklist"
    auto = {"title": "Remind", "kind": "automatic", "actions": []}
    response = api_as(admin).put(url, {"steps": [auto]})
    assert response.status_code == 422 and "steps.0.actions" in response.json()["errors"]
    bad_field = api_as(admin).put(url, {"steps": [], "required_fields": ["salary"]})
    assert bad_field.status_code == 422
    assert api_as(manager).put(url, {"steps": []}).status_code == 403
    assert api_as(manager).get(url).status_code == 200
    assert api_as(admin).get("automation/stages/999999/checklist").status_code == 404


def test_holidays_api(api_as: Any, admin: User, owner: User) -> None:
    api = api_as(admin)
    created = api.post("automation/holidays", {"date": "2030-12-25", "name": "Christmas"})
    assert created.status_code == 201
    assert api.post("automation/holidays", {"date": "2030-12-25", "name": "x"}).status_code == 422
    assert (
        api_as(owner).post("automation/holidays", {"date": "2030-12-26", "name": "x"}).status_code
        == 403
    )
    assert [h["name"] for h in api_as(owner).get("automation/holidays", year=2030).json()] == [
        "Christmas"
    ]
    assert api_as(owner).get("automation/holidays", year=2029).json() == []
    assert api.delete(f"automation/holidays/{created.json()['id']}").status_code == 204


def test_campaigns_api(api_as: Any, admin: User, manager: User) -> None:
    created = api_as(admin).post("automation/campaigns", {"name": "Winter nurture"})
    assert created.status_code == 201
    dup = api_as(admin).post("automation/campaigns", {"name": "winter nurture"})
    assert dup.status_code == 422
    assert api_as(manager).post("automation/campaigns", {"name": "x"}).status_code == 403
    campaign = Campaign.objects.get()
    members = api_as(manager).get(f"automation/campaigns/{campaign.pk}/members")
    assert members.status_code == 200 and members.json()["items"] == []


def _runs(deal_id: int, start: int, count: int) -> None:
    AutomationRun.objects.bulk_create(
        AutomationRun(
            run_key=f"k{deal_id}:{i}",
            source="rule",
            title="t",
            entity_type="deal",
            entity_id=deal_id,
        )
        for i in range(start, start + count)
    )


def test_run_log_api_scopes_and_counts_queries(
    api_as: Any, owner: User, outsider: User, manager: User, outbound: Pipeline
) -> None:
    deal = make_deal(owner, outbound, "Cold prospect", None)
    _runs(deal.pk, 0, 3)
    api = api_as(owner)
    api.get("automation/runs", entity_type="deal", entity_id=deal.pk)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        first = api.get("automation/runs", entity_type="deal", entity_id=deal.pk)
    assert len(first.json()["items"]) == 3
    _runs(deal.pk, 3, 5)
    with CaptureQueriesContext(connection) as more:
        second = api.get("automation/runs", entity_type="deal", entity_id=deal.pk)
    assert len(second.json()["items"]) == 8
    assert len(more) == len(queries)
    assert api.get("automation/runs").status_code == 403  # the whole log is for staff
    assert api_as(manager).get("automation/runs", status="pending").status_code == 200
    hidden = api_as(outsider).get("automation/runs", entity_type="deal", entity_id=deal.pk)
    assert hidden.status_code == 404


def test_scheduled_actions_of_a_deal(
    api_as: Any, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    deal = run_on_commit(make_deal, owner, outbound, DEMO, None)
    scheduled = api_as(owner).get(f"automation/deals/{deal.pk}/scheduled").json()
    assert len(scheduled) == 5 and all(s["status"] == "waiting" for s in scheduled)
    assert all(s["due_at"] is None for s in scheduled)  # no meeting booked yet


def test_action_types_are_listed(api_as: Any, owner: User) -> None:
    types = {a["type"] for a in api_as(owner).get("automation/actions").json()}
    assert types == {
        "create_activity",
        "send_email",
        "assign_owner",
        "set_field",
        "move_stage",
        "add_to_campaign",
        "remove_from_campaign",
        "call_webhook",
    }


def test_tick_command_runs_once(db: Any) -> None:
    out = StringIO()
    call_command("automation_tick", stdout=out)
    assert out.getvalue().startswith("Tick:")


def test_tick_chain_needs_a_deferring_backend(db: Any) -> None:
    ticker.ensure_chain()  # the immediate backend cannot defer: no chain is started
    assert ticker.tick_and_continue("someone-else") == {"superseded": 1}
