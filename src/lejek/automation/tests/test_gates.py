"""Gates: a forward move out of a stage with open required steps or empty fields is refused."""

from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.automation import checklists
from lejek.automation.models import DealStep
from lejek.automation.tests.helpers import DEMO, make_deal, stage
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal, Pipeline, StageChange

pytestmark = pytest.mark.django_db

PROPOSAL = "Proposal or contract considered"


@pytest.fixture
def deal_in_demo(owner: User, outbound: Pipeline, run_on_commit: Any) -> Deal:
    return run_on_commit(make_deal, owner, outbound, DEMO, None)


def _move(api: Any, deal: Deal, stage_id: int, **extra: Any) -> Any:
    deal.refresh_from_db()
    return api.post(
        f"deals/{deal.pk}/move", {"stage_id": stage_id, "version": deal.version, **extra}
    )


def test_forward_move_is_blocked_with_what_is_missing(
    api_as: Any, owner: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    response = _move(api_as(owner), deal_in_demo, stage(outbound, PROPOSAL).pk)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "gate_blocked"
    assert [m["title"] for m in body["missing"]] == [
        "Send a confirmation email with the meeting date and time",
        "After the call: send a follow-up with the key points, set the next contact",
    ]
    assert all(m["kind"] == "step" for m in body["missing"])
    deal_in_demo.refresh_from_db()
    assert deal_in_demo.stage.name == DEMO


def test_backward_moves_are_free(
    api_as: Any, owner: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    response = _move(api_as(owner), deal_in_demo, stage(outbound, "Conversation started").pk)
    assert response.status_code == 200


def test_ticking_the_required_steps_opens_the_gate(
    api_as: Any, owner: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    api = api_as(owner)
    checklist = api.get(f"automation/deals/{deal_in_demo.pk}/checklist").json()
    assert len(checklist["steps"]) == 5
    for step in checklist["steps"]:
        if step["required"]:
            done = api.post(
                f"automation/deals/{deal_in_demo.pk}/checklist/{step['id']}/done",
                {"note": "sent from my mailbox"},
            )
            assert done.status_code == 200
    after = api.get(f"automation/deals/{deal_in_demo.pk}/checklist").json()
    assert after["missing"] == []
    ticked = [s for s in after["steps"] if s["status"] == "done"]
    assert {s["done_by"]["username"] for s in ticked} == {"owner"}
    assert _move(api, deal_in_demo, stage(outbound, PROPOSAL).pk).status_code == 200


def test_rep_cannot_override(
    api_as: Any, owner: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    response = _move(
        api_as(owner), deal_in_demo, stage(outbound, PROPOSAL).pk, override_reason="trust me"
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.OVERRIDE).exists()


def test_manager_override_is_logged(
    api_as: Any, manager: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    response = _move(
        api_as(manager),
        deal_in_demo,
        stage(outbound, PROPOSAL).pk,
        override_reason="Customer signed on the call",
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(
        entity_type="deal", entity_id=deal_in_demo.pk, action=AuditEntry.Action.OVERRIDE
    )
    assert entry.actor == manager
    assert entry.note == "Customer signed on the call"
    assert "confirmation" in entry.old_value
    assert entry.new_value == PROPOSAL
    change = StageChange.objects.filter(deal=deal_in_demo).last()
    assert change is not None and change.reason == StageChange.Reason.OVERRIDE


def test_other_teams_manager_cannot_even_see_the_deal(
    api_as: Any, other_manager: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    response = _move(
        api_as(other_manager), deal_in_demo, stage(outbound, PROPOSAL).pk, override_reason="x"
    )
    assert response.status_code == 404


def test_required_fields_block_too(
    api_as: Any, admin: User, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    start = stage(outbound, "Cold prospect")
    checklists.checklist_save(
        actor=admin,
        stage=start,
        steps=[{"title": "Research the account", "kind": "manual", "required": False}],
        required_fields=["amount", "people"],
    )
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", None)
    response = _move(api_as(owner), deal, stage(outbound, "Conversation started").pk)
    assert response.status_code == 409
    assert [m.get("field") for m in response.json()["missing"]] == ["amount", "people"]


def test_a_step_of_an_earlier_stay_cannot_be_ticked(
    api_as: Any, manager: User, owner: User, outbound: Pipeline, deal_in_demo: Deal
) -> None:
    api = api_as(owner)
    step = api.get(f"automation/deals/{deal_in_demo.pk}/checklist").json()["steps"][0]
    assert _move(api, deal_in_demo, stage(outbound, "Conversation started").pk).status_code == 200
    response = api.post(f"automation/deals/{deal_in_demo.pk}/checklist/{step['id']}/done", {})
    assert response.status_code == 409
    assert DealStep.objects.get(pk=step["id"]).status != DealStep.Status.DONE


def test_outsider_sees_no_checklist(api_as: Any, outsider: User, deal_in_demo: Deal) -> None:
    assert api_as(outsider).get(f"automation/deals/{deal_in_demo.pk}/checklist").status_code == 404


def _win(api: Any, deal: Deal, **extra: Any) -> Any:
    deal.refresh_from_db()
    return api.post(f"deals/{deal.pk}/win", {"version": deal.version, **extra})


def test_winning_past_an_incomplete_stage_is_blocked_like_a_forward_move(
    api_as: Any, owner: User, deal_in_demo: Deal
) -> None:
    response = _win(api_as(owner), deal_in_demo)
    assert response.status_code == 409
    assert response.json()["code"] == "gate_blocked"
    assert len(response.json()["missing"]) == 2
    deal_in_demo.refresh_from_db()
    assert deal_in_demo.status == Deal.Status.OPEN
    assert not deal_in_demo.status_changes.exists()
    assert _win(api_as(owner), deal_in_demo, override_reason="signed early").status_code == 403


def test_a_manager_wins_past_the_gate_with_a_logged_reason(
    api_as: Any, manager: User, deal_in_demo: Deal
) -> None:
    response = _win(api_as(manager), deal_in_demo, override_reason="Signed at the demo")
    assert response.status_code == 200 and response.json()["status"] == "won"
    override = AuditEntry.objects.get(entity_id=deal_in_demo.pk, action=AuditEntry.Action.OVERRIDE)
    assert override.new_value == "won" and override.note == "Signed at the demo"
