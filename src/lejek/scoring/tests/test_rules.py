"""Caps, decay, thresholds that act once, rescoring after a rule change, attribute rules
following the lead's data, and per-field errors."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from lejek.activities.models import Activity
from lejek.automation.models.campaigns import Membership
from lejek.core import tags
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.scoring import ingest, rescore, services
from lejek.scoring.models import ScoreEntry, ScoringRule, Threshold, ThresholdCrossing
from lejek.scoring.tests.helpers import ago, as_service, event, example_rules, persona_lead

pytestmark = pytest.mark.django_db


def _score(lead: Lead) -> int:
    return Lead.objects.get(pk=lead.pk).score


def _ledger_total(lead: Lead) -> int:
    return sum(ScoreEntry.objects.filter(lead=lead).values_list("points", flat=True))


def _rule(admin: Any, **data: Any) -> ScoringRule:
    values = {"name": "Pricing", "kind": "event", "event_type": "page_visited", "points": 10}
    return services.rule_create(actor=admin, data={**values, **data})


def _send(*events: dict[str, Any]) -> ingest.IngestResult:
    return ingest.events_ingest(events=as_service(list(events)))


def test_cap_per_period_counts_only_the_first_events(admin: Any, owner: Any) -> None:
    _rule(admin, event_type="email_opened", points=2, cap_count=2, cap_period_days=1)
    lead = persona_lead(owner, authority="")
    today = timezone.now().replace(hour=12)
    yesterday = today - datetime.timedelta(days=1)
    _send(*(event(lead, "email_opened", occurred_at=today) for _ in range(5)))
    assert _score(lead) == 4  # 5 opens today, 2 count
    _send(event(lead, "email_opened", occurred_at=yesterday))
    assert _score(lead) == 6  # another day, another allowance
    assert _score(lead) == _ledger_total(lead)


def test_halving_decay_and_expiry(admin: Any, owner: Any) -> None:
    halving = _rule(admin, name="Webinar", event_type="webinar_attended", points=8)
    services.rule_update(
        actor=admin, rule=halving, data={"decay": "halve", "decay_days": 7}, version=1
    )
    _rule(admin, name="Demo", event_type="meeting_booked", points=5, decay="expire", decay_days=3)
    lead = persona_lead(owner, authority="")
    _send(
        event(lead, "webinar_attended", occurred_at=ago(days=15)),  # two halvings: 2
        event(lead, "meeting_booked", occurred_at=ago(days=1)),  # still 5
    )
    assert _score(lead) == 7
    # Time passes: the decay job takes away what decayed, as ledger rows that say so.
    later = timezone.now() + datetime.timedelta(days=7)
    rescore.decay_due(now=later)
    assert _score(lead) == 1  # 8 → 1 after three halvings; the demo expired
    reasons = set(ScoreEntry.objects.filter(lead=lead).values_list("reason", flat=True))
    assert ScoreEntry.Reason.DECAY in reasons
    assert _score(lead) == _ledger_total(lead)
    rescore.decay_due(now=later)  # running again changes nothing
    assert _score(lead) == 1


def test_threshold_acts_once_however_many_events_follow(
    admin: Any, owner: Any, teammate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    example_rules()
    services.threshold_create(
        actor=admin,
        data={
            "name": "MQL",
            "kind": "mql",
            "score": 20,
            "assign_to_id": teammate.pk,
            "task_subject": "Call the new MQL",
            "campaign_name": "MQL nurture",
        },
    )
    lead = persona_lead(owner)  # 5 for the persona
    with django_capture_on_commit_callbacks(execute=True):
        _send(*(event(lead, "page_visited", url="/pricing") for _ in range(2)))  # 25
    with django_capture_on_commit_callbacks(execute=True):
        _send(*(event(lead, "page_visited", url="/pricing") for _ in range(3)))  # 55
    lead.refresh_from_db()
    assert lead.score == 55
    assert lead.status == Lead.Status.MQL
    assert lead.owner_id == teammate.pk
    assert ThresholdCrossing.objects.filter(lead=lead).count() == 1
    tasks = Activity.objects.filter(lead=lead, subject="Call the new MQL")
    assert tasks.count() == 1
    assert Membership.objects.filter(entity_type="lead", entity_id=lead.pk).count() == 1


def test_disqualification_floor(
    admin: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _rule(admin, name="Unsubscribed", event_type="unsubscribed", points=-20)
    services.threshold_create(actor=admin, data={"name": "Floor", "kind": "floor", "score": -10})
    lead = persona_lead(owner, authority="")
    with django_capture_on_commit_callbacks(execute=True):
        _send(event(lead, "unsubscribed"))
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED
    assert lead.disqualified_reason == "score"


def test_rule_change_rescores_with_ledger_rows(
    admin: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rule = _rule(admin)
    leads = [persona_lead(owner, authority="", email=f"l{n}@acme.example") for n in range(3)]
    _send(*(event(lead, "page_visited") for lead in leads))
    assert [_score(lead) for lead in leads] == [10, 10, 10]
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_update(actor=admin, rule=rule, data={"points": 4}, version=rule.version)
    assert [_score(lead) for lead in leads] == [4, 4, 4]
    rows = ScoreEntry.objects.filter(lead=leads[0], reason=ScoreEntry.Reason.RESCORE)
    assert list(rows.values_list("points", flat=True)) == [-6]
    rule.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_delete(actor=admin, rule=rule)
    assert [_score(lead) for lead in leads] == [0, 0, 0]
    assert all(_score(lead) == _ledger_total(lead) for lead in leads)


def test_attribute_rules_follow_the_leads_data(admin: Any, owner: Any) -> None:
    example_rules()
    lead = lead_services.lead_create(
        actor=owner,
        data={
            "first_name": "Jan",
            "company_name": "Acme",
            "email": "jan@acme.example",
            "company_domain": "acme.example",
            "authority": "decision_maker",
            "company_size": 50,
        },
    )
    assert _score(lead) == 5  # fits the buyer persona from the start
    lead_services.lead_update(
        actor=owner, lead=lead, data={"company_size": 3}, version=lead.version
    )
    assert _score(lead) == 0
    lead.refresh_from_db()
    tags.add(actor=owner, instance=lead, name="Inaccurate company data")
    assert _score(lead) == -5
    tags.remove(actor=owner, instance=lead, name="inaccurate company data")
    assert _score(lead) == 0
    assert _ledger_total(lead) == 0
    assert lead.version == Lead.objects.get(pk=lead.pk).version  # scoring is not an edit


def test_sending_a_batch_again_changes_nothing(owner: Any) -> None:
    example_rules()
    lead = persona_lead(owner)
    batch = [event(lead, "page_visited", url="/pricing"), event(lead, "email_opened")]
    first = _send(*batch)
    again = _send(*batch)
    assert len(first.created) == 2 and len(again.created) == 0
    assert len(again.duplicates) == 2
    assert _score(lead) == 16


def test_rule_errors_name_each_field(admin: Any, api_as: Any) -> None:
    response = api_as(admin).post(
        "scoring/rules",
        {
            "name": "",
            "kind": "event",
            "event_type": "page_visited",
            "points": 0,
            "conditions": [{"field": "salary", "op": "eq", "value": "1"}],
            "cap_period_days": 7,
        },
    )
    assert response.status_code == 422
    fields = response.json()["errors"]
    assert {"name", "points", "conditions.0.field", "cap_count"} <= set(fields)
    assert ScoringRule.objects.count() == 0


def test_reps_cannot_change_rules(owner: Any, api_as: Any) -> None:
    response = api_as(owner).post(
        "scoring/rules", {"name": "x", "kind": "event", "event_type": "replied", "points": 1}
    )
    assert response.status_code == 403


def test_threshold_update_is_versioned_and_audited(admin: Any, owner: Any) -> None:
    from lejek.core.errors import VersionConflict
    from lejek.core.models import AuditEntry

    threshold = services.threshold_create(
        actor=admin, data={"name": "MQL", "kind": "mql", "score": 20}
    )
    services.threshold_update(
        actor=admin, threshold=threshold, data={"score": 25, "assign_to_id": owner.pk}, version=1
    )
    threshold.refresh_from_db()
    assert (threshold.score, threshold.assign_to_id, threshold.version) == (25, owner.pk, 2)
    changed = AuditEntry.objects.filter(entity_type="threshold", entity_id=threshold.pk)
    assert set(changed.exclude(field="").values_list("field", flat=True)) == {"score", "assign_to"}
    with pytest.raises(VersionConflict):
        services.threshold_update(actor=admin, threshold=threshold, data={"score": 30}, version=1)
    assert Threshold.objects.get(pk=threshold.pk).score == 25
