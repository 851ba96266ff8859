"""The scoring pages: golden example 6 through the UI, the rules and thresholds editors,
the lead's score explanation."""

import re
from typing import Any

import pytest

from lejek.leads.models import Lead
from lejek.scoring.models import ScoringRule, Threshold
from lejek.scoring.tests.helpers import golden_events
from lejek.web.tests.pages import client_for, text


def words(response: Any) -> str:
    """The page's text without tags, runs of white space made one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


pytestmark = pytest.mark.django_db


def test_golden_example_through_the_pages(admin: Any, owner: Any, api_as: Any) -> None:
    assert client_for(admin).post("/scoring/rules/examples/").status_code == 302
    assert ScoringRule.objects.count() == 5
    rep = client_for(owner)
    created = rep.post(
        "/leads/new/",
        {
            "first_name": "Jan",
            "company_name": "Acme",
            "company_domain": "acme.example",
            "email": "jan@acme.example",
            "source": "web_form",
        },
    )
    assert created.status_code == 302
    lead = Lead.objects.get()
    base = f"/leads/{lead.pk}/fields"
    assert (
        rep.post(f"{base}/authority/", {"authority": "decision_maker", "version": "1"}).status_code
        == 200
    )
    assert (
        rep.post(f"{base}/company_size/", {"company_size": "40", "version": "2"}).status_code == 200
    )
    assert Lead.objects.get(pk=lead.pk).score == 5  # the persona fits as soon as it is known
    assert (
        api_as(owner).post("engagement-events", {"events": golden_events(lead)}).status_code == 200
    )

    card = rep.get(f"/scoring/leads/{lead.pk}/")
    assert card.status_code == 200
    shown = words(card)
    assert "20" in shown
    for line in (
        "Visited the pricing page 1 +10",
        "Opened an email 2 +2",
        "Fits the buyer persona +5",
    ):
        assert line in shown
    # A rep flags the company data as inaccurate: the score drops to 15 at once.
    tagged = rep.post(f"/tags/lead/{lead.pk}/", {"tag": "Inaccurate company data"})
    assert tagged.status_code == 200
    assert Lead.objects.get(pk=lead.pk).score == 15
    assert "Inaccurate company data -5" in words(rep.get(f"/scoring/leads/{lead.pk}/"))
    assert "scoring/leads" in rep.get(f"/leads/{lead.pk}/").content.decode()


def test_rule_editor_shows_errors_per_field_and_saves(admin: Any) -> None:
    client = client_for(admin)
    assert client.get("/scoring/rules/new/").status_code == 200
    bad = client.post(
        "/scoring/rules/new/",
        {"name": "Pricing", "kind": "event", "event_type": "", "points": "5", "match": "all"},
    )
    assert bad.status_code == 422
    assert "Choose the type of event the rule scores." in text(bad)
    assert ScoringRule.objects.count() == 0
    good = client.post(
        "/scoring/rules/new/",
        {
            "name": "Pricing",
            "kind": "event",
            "event_type": "page_visited",
            "points": "10",
            "match": "all",
            "cap_count": "3",
            "cap_period_days": "7",
            "is_active": "on",
            "condition_1_field": "url",
            "condition_1_op": "contains",
            "condition_1_value": "/pricing",
        },
    )
    assert good.status_code == 302
    rule = ScoringRule.objects.get()
    assert rule.conditions == [{"field": "url", "op": "contains", "value": "/pricing"}]
    listing = words(client.get("/scoring/"))
    assert "Pricing" in listing and "URL contains /pricing" in listing
    assert "3× per 7 days" in listing
    edit = client.get(f"/scoring/rules/{rule.pk}/")
    assert 'value="/pricing"' in edit.content.decode()


def test_threshold_editor(admin: Any, owner: Any) -> None:
    client = client_for(admin)
    response = client.post(
        "/scoring/thresholds/new/",
        {
            "name": "SQL",
            "kind": "sql",
            "score": "40",
            "task_due_days": "1",
            "is_active": "on",
            "assign_to": str(owner.pk),
            "task_subject": "Call now",
        },
    )
    assert response.status_code == 302
    threshold = Threshold.objects.get()
    assert (threshold.score, threshold.assign_to_id) == (40, owner.pk)
    missing = client.post(
        "/scoring/thresholds/new/", {"name": "", "kind": "sql", "task_due_days": "1"}
    )
    assert missing.status_code == 422
    assert Threshold.objects.count() == 1


def test_reps_may_not_open_the_rules(owner: Any, manager: Any) -> None:
    assert client_for(owner).get("/scoring/").status_code == 403
    assert client_for(manager).get("/scoring/").status_code == 200
    assert client_for(manager).post("/scoring/rules/examples/").status_code == 403


def test_outsiders_do_not_see_a_leads_score(owner: Any, outsider: Any) -> None:
    lead = Lead.objects.create(owner=owner, company_name="Acme")
    assert client_for(outsider).get(f"/scoring/leads/{lead.pk}/").status_code == 404
