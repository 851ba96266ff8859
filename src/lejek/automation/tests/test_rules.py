"""Rules through the API: validation, permissions, dry runs, and each trigger and action."""

from typing import Any

import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.automation import rules, ticker
from lejek.automation.models import (
    AutomationRun,
    Campaign,
    EmailTemplate,
    Event,
    Membership,
    Rule,
)
from lejek.automation.tests.helpers import local, make_deal, make_person, move, stage
from lejek.core import records
from lejek.core.models import AuditEntry
from lejek.leads import services as lead_services
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


def _rule(admin: User, **data: Any) -> Rule:
    base = {"name": "Rule", "entity_type": "deal", "trigger": "won"}
    return rules.rule_create(actor=admin, data={**base, **data})


def _task(subject: str = "Call {{ contact.first_name|default:'them' }}") -> dict[str, Any]:
    return {"type": "create_activity", "params": {"subject": subject, "due_in": 1}}


def test_create_list_update_delete_rule(api_as: Any, admin: User, manager: User) -> None:
    api = api_as(admin)
    body = {
        "name": "Won → kick-off",
        "entity_type": "deal",
        "trigger": "won",
        "conditions": [{"field": "amount", "op": "gte", "value": 1000}],
        "actions": [_task("Kick-off for {{ deal.title }}")],
    }
    created = api.post("automation/rules", body)
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule["actions"][0]["params"]["due_unit"] == "business_days"
    assert rule["created_by"]["username"] == "admin"

    api_as(manager).get("automation/rules")  # warm up the token
    with CaptureQueriesContext(connection) as queries:
        listed = api_as(manager).get("automation/rules")
    assert listed.status_code == 200 and len(listed.json()) == 1
    count = len(queries)
    _rule(admin, actions=[_task()])
    with CaptureQueriesContext(connection) as queries:
        assert len(api_as(manager).get("automation/rules").json()) == 2
    assert len(queries) <= count + 1  # the second token's first use

    patched = api.patch(
        f"automation/rules/{rule['id']}", {"version": 1, "is_active": False, "name": "Paused"}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api.patch(f"automation/rules/{rule['id']}", {"version": 1, "name": "Again"})
    assert stale.status_code == 409
    assert api.delete(f"automation/rules/{rule['id']}").status_code == 204
    assert api.get(f"automation/rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actions": [{"type": "explode", "params": {}}]}, "actions.0.type"),
        ({"actions": [{"type": "create_activity", "params": {}}]}, "actions.0.params.subject"),
        ({"actions": [_task("{% if %}")]}, "actions.0.params.subject"),
        ({"actions": [_task("{{ deal._state }}")]}, "actions.0.params.subject"),
        ({"conditions": [{"field": "password", "op": "eq"}]}, "conditions.0.field"),
        ({"conditions": [{"field": "amount", "op": "~"}]}, "conditions.0.op"),
        ({"trigger": "score_crossed"}, "trigger"),
        ({"trigger": "date_relative", "trigger_params": {"field": "x"}}, "trigger_params.field"),
        ({"entity_type": "lead", "trigger": "won"}, "trigger"),
        (
            {
                "actions": [{"type": "move_stage", "params": {"stage_id": 1}}],
                "entity_type": "lead",
                "trigger": "created",
            },
            "actions.0.type",
        ),
    ],
)
def test_bad_rules_get_a_422_naming_the_field(
    api_as: Any, admin: User, change: dict[str, Any], field: str
) -> None:
    body = {"name": "x", "entity_type": "deal", "trigger": "won", "actions": [_task()], **change}
    response = api_as(admin).post("automation/rules", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]


def test_only_admins_write_rules_and_reps_read_none(
    api_as: Any, owner: User, manager: User
) -> None:
    body = {"name": "x", "entity_type": "deal", "trigger": "won", "actions": [_task()]}
    assert api_as(manager).post("automation/rules", body).status_code == 403
    assert api_as(owner).get("automation/rules").status_code == 403


def test_dry_run_shows_conditions_and_actions_without_doing_them(
    api_as: Any, admin: User, owner: User, other_manager: User, outbound: Pipeline
) -> None:
    rule = _rule(
        admin,
        conditions=[{"field": "stage.name", "op": "eq", "value": "Cold prospect"}],
        actions=[_task("Call about {{ deal.title }}")],
    )
    deal = make_deal(owner, outbound, "Cold prospect", None)
    url = f"automation/rules/{rule.pk}/dry-run"
    response = api_as(admin).post(url, {"entity_id": deal.pk})
    assert response.status_code == 200
    result = response.json()
    assert result["conditions_hold"] is True
    assert result["conditions"][0]["actual"] == "Cold prospect"
    assert result["actions"][0]["description"].startswith("Create task “Call about Acme rollout”")
    assert not Activity.objects.filter(kind=Activity.Kind.TASK).exists()
    # Another team's manager cannot try it on a deal they cannot see; a rep cannot try rules.
    assert api_as(other_manager).post(url, {"entity_id": deal.pk}).status_code == 404
    assert api_as(owner).post(url, {"entity_id": deal.pk}).status_code == 403


def test_won_rule_runs_every_action_type(
    admin: User, manager: User, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    campaign = Campaign.objects.create(name="Customers")
    tag = Campaign.objects.create(name="prospect", kind=Campaign.Kind.TAG)
    person = make_person(owner)
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", person)
    Membership.objects.create(campaign=tag, entity_type="deal", entity_id=deal.pk)
    _rule(
        admin,
        actions=[
            _task("Kick-off with {{ contact.first_name }}"),
            {
                "type": "set_field",
                "params": {"field": "next_step", "value": "Onboard {{ deal.title }}"},
            },
            {
                "type": "add_to_campaign",
                "params": {"campaign_id": campaign.pk, "target": "contact"},
            },
            {"type": "remove_from_campaign", "params": {"campaign_id": tag.pk}},
            {"type": "assign_owner", "params": {"user_id": manager.pk}},
        ],
    )
    run_on_commit(pipeline_services.deal_mark_won, actor=owner, deal=deal, version=deal.version)
    run = AutomationRun.objects.get()
    assert run.status == AutomationRun.Status.SUCCEEDED, run.last_error
    deal.refresh_from_db()
    assert deal.next_step == "Onboard Acme rollout"
    assert deal.owner == manager
    task = Activity.objects.get(kind=Activity.Kind.TASK)
    assert task.subject == "Kick-off with Ann" and task.deal_id == deal.pk
    assert Membership.objects.get(campaign=campaign).entity_id == person.pk
    assert Membership.objects.get(campaign=tag).removed_at is not None
    timeline = AuditEntry.objects.get(entity_type="deal", entity_id=deal.pk, field="automation")
    assert timeline.new_value == "succeeded" and "Set next_step" in timeline.note


def test_stage_rules_match_their_stage_and_move_stage_respects_gates(
    admin: User, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    talk = stage(outbound, "Conversation started")
    _rule(
        admin,
        trigger="stage_entered",
        trigger_params={"stage_id": talk.pk},
        actions=[{"type": "move_stage", "params": {"stage_id": stage(outbound, "Closed").pk}}],
    )
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", None)
    assert not AutomationRun.objects.exists()  # entered "Cold prospect": no match
    run_on_commit(move, owner, deal, talk)
    deal.refresh_from_db()
    assert deal.stage.name == "Closed"  # no gate between these stages


def test_field_updated_and_created_rules_come_from_the_audit_log(
    admin: User, owner: User, outbound: Pipeline, clock: Any, run_on_commit: Any
) -> None:
    ticker.tick()  # the first tick starts the audit cursor at "now"
    _rule(admin, trigger="field_updated", trigger_params={"fields": ["amount"]}, actions=[_task()])
    _rule(admin, name="New deal", trigger="created", actions=[_task("Qualify {{ deal.title }}")])
    deal = make_deal(owner, outbound, "Cold prospect", None)
    pipeline_services.deal_update(actor=owner, deal=deal, data={"title": "Renamed"}, version=1)
    clock.advance(minutes=5)
    run_on_commit(ticker.tick)
    assert list(AutomationRun.objects.values_list("title", flat=True)) == ["New deal"]
    deal.refresh_from_db()
    pipeline_services.deal_update(actor=owner, deal=deal, data={"amount": 5000}, version=2)
    clock.advance(minutes=5)
    run_on_commit(ticker.tick)
    run_on_commit(ticker.tick)  # a repeated tick changes nothing
    assert sorted(AutomationRun.objects.values_list("title", flat=True)) == ["New deal", "Rule"]


def test_score_crossing_a_threshold(
    admin: User, owner: User, clock: Any, run_on_commit: Any
) -> None:
    ticker.tick()
    rule = _rule(
        admin,
        entity_type="lead",
        trigger="score_crossed",
        trigger_params={"threshold": 50},
        actions=[_task("Hot lead {{ lead.first_name }}")],
    )
    lead = lead_services.lead_create(actor=owner, data={"first_name": "Eva", "last_name": "Kos"})
    for version, score in enumerate((30, 60, 70), start=1):  # as the scoring engine writes it
        records.update(
            actor=owner, instance=lead, changes={"score": score}, expected_version=version
        )
    clock.advance(minutes=5)
    run_on_commit(ticker.tick)
    assert AutomationRun.objects.filter(rule=rule).count() == 1  # 30 → 60 only
    assert Activity.objects.get(kind="task").subject == "Hot lead Eva"


def test_stale_deals_fire_once(
    admin: User, owner: User, outbound: Pipeline, clock: Any, run_on_commit: Any
) -> None:
    _rule(admin, trigger="became_stale", actions=[_task("Revive {{ deal.title }}")])
    deal = make_deal(owner, outbound, "Cold prospect", None)  # rots after 14 days
    clock.advance(days=10)
    run_on_commit(ticker.tick)
    assert not AutomationRun.objects.exists()
    clock.advance(days=6)
    run_on_commit(ticker.tick)
    clock.advance(hours=1)
    run_on_commit(ticker.tick)
    assert AutomationRun.objects.get().entity_id == deal.pk


def test_relative_to_a_date(
    admin: User, owner: User, outbound: Pipeline, clock: Any, run_on_commit: Any
) -> None:
    _rule(
        admin,
        trigger="date_relative",
        trigger_params={"field": "expected_close_date", "offset": -1, "unit": "business_days"},
        actions=[_task("Closing tomorrow: {{ deal.title }}")],
    )
    deal = make_deal(owner, outbound, "Cold prospect", None)
    Deal.objects.filter(pk=deal.pk).update(expected_close_date=local(2030, 6, 3).date())  # Monday
    clock.set(local(2030, 5, 31, 8, 59))  # Friday before 09:00
    run_on_commit(ticker.tick)
    assert not AutomationRun.objects.exists()
    clock.set(local(2030, 5, 31, 9, 0))
    run_on_commit(ticker.tick)
    run_on_commit(ticker.tick)
    assert AutomationRun.objects.get().status == "succeeded"
    assert Activity.objects.get(kind="task").subject == "Closing tomorrow: Acme rollout"


def test_rule_loop_is_cut_off(admin: User, owner: User, outbound: Pipeline, settings: Any) -> None:
    settings.AUTOMATION_RULE_RUNS_PER_HOUR = 2
    rule = _rule(admin, actions=[_task()])
    deal = make_deal(owner, outbound, "Cold prospect", None)
    for _ in range(3):
        event = Event.objects.create(kind="won", entity_type="deal", entity_id=deal.pk)
        rules.dispatch(event, deal)
    assert AutomationRun.objects.filter(rule=rule).count() == 2


def test_email_action_sends_from_template(
    admin: User, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    EmailTemplate.objects.create(
        key="won", language="en", name="Won", subject="Welcome, {{ contact.first_name }}", body="!"
    )
    _rule(admin, actions=[{"type": "send_email", "params": {"template": "won"}}])
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", make_person(owner))
    run_on_commit(pipeline_services.deal_mark_won, actor=owner, deal=deal, version=deal.version)
    assert [m.subject for m in django_mail.outbox] == ["Welcome, Ann"]
    assert django_mail.outbox[0].reply_to == ["owner@example.com"]


def test_deals_moved_off_a_removed_stage_fire_stage_rules(
    admin: User, owner: User, outbound: Pipeline, run_on_commit: Any
) -> None:
    cold, talk = stage(outbound, "Cold prospect"), stage(outbound, "Conversation started")
    _rule(
        admin,
        trigger="stage_entered",
        trigger_params={"stage_id": talk.pk},
        actions=[_task("Call after the stage change")],
    )
    deals = [run_on_commit(make_deal, owner, outbound, "Cold prospect", None) for _ in range(3)]
    run_on_commit(pipeline_services.stage_remove, actor=admin, stage=cold, move_to=talk)
    runs = AutomationRun.objects.filter(status="succeeded")
    assert sorted(runs.values_list("entity_id", flat=True)) == sorted(d.pk for d in deals)
    assert Activity.objects.filter(subject="Call after the stage change").count() == 3
