"""SPEC golden example 6: the seed-002 rules score 10 + 1 + 1 + 3 + 5 = 20; 15 with
inaccurate company data. Through the event API, the signed webhook and the pages."""

import json
import time
from typing import Any

import pytest
from django.test import Client, override_settings

from lejek.core import tags
from lejek.leads.models import Lead
from lejek.scoring import webhook
from lejek.scoring.models import ScoreEntry
from lejek.scoring.tests.helpers import example_rules, golden_events, persona_lead

pytestmark = pytest.mark.django_db


def _score(lead: Lead) -> int:
    return Lead.objects.get(pk=lead.pk).score


def test_golden_example_through_the_event_api(owner: Any, api_as: Any) -> None:
    example_rules()
    lead = persona_lead(owner)
    response = api_as(owner).post("engagement-events", {"events": golden_events(lead)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 4
    assert [i["points"] for i in body["items"]] == [10, 1, 1, 3]
    assert body["scores"] == [{"lead_id": lead.pk, "score": 20}]
    assert _score(lead) == 20
    points = sorted(ScoreEntry.objects.filter(lead=lead).values_list("points", flat=True))
    assert points == [1, 1, 3, 5, 10]
    assert sum(points) == 20


def test_golden_example_with_inaccurate_company_data(owner: Any, api_as: Any) -> None:
    example_rules()
    # The address belongs to another company than the one the lead names.
    lead = persona_lead(owner, email="jan@elsewhere.example")
    response = api_as(owner).post("engagement-events", {"events": golden_events(lead)})
    assert response.status_code == 200
    assert _score(lead) == 15


def test_golden_example_with_inaccurate_data_flagged_by_a_tag(owner: Any, api_as: Any) -> None:
    example_rules()
    lead = persona_lead(owner)
    tags.add(actor=owner, instance=lead, name="Inaccurate company data")
    api_as(owner).post("engagement-events", {"events": golden_events(lead)})
    assert _score(lead) == 15
    explanation = api_as(owner).get(f"scoring/leads/{lead.pk}").json()
    assert explanation["score"] == explanation["ledger_total"] == 15
    lines = {line["rule"]: line["points"] for line in explanation["lines"]}
    assert lines == {
        "Visited the pricing page": 10,
        "Opened an email": 2,
        "Clicked a link in an email": 3,
        "Fits the buyer persona": 5,
        "Inaccurate company data": -5,
    }


@override_settings(SCORING_WEBHOOK_SECRET="s3cret")
def test_golden_example_through_the_signed_webhook(owner: Any) -> None:
    example_rules()
    lead = persona_lead(owner)
    body = json.dumps({"events": golden_events(lead)}).encode()
    stamp = str(int(time.time()))
    response = Client().post(
        "/api/v1/engagement-events/webhook",
        data=body,
        content_type="application/json",
        headers={
            "X-Lejek-Timestamp": stamp,
            "X-Lejek-Signature": webhook.sign(body, stamp, "s3cret"),
        },
    )
    assert response.status_code == 200, response.content
    assert _score(lead) == 20
