"""The lead flow through the API: forms, routing, conversion, duplicates, merge."""

from typing import Any

import pytest

from lejek.leads.models import Lead, RoutingRule, WebForm
from lejek.leads.tests.factories import make_lead
from lejek.pipelines.models import Deal
from lejek.pipelines.tests.factories import pipeline as make_pipeline

pytestmark = pytest.mark.django_db


def test_web_forms_and_routing_rules_crud(admin: Any, owner: Any, team_a: Any, api_as: Any) -> None:
    api = api_as(admin)
    created = api.post(
        "web-forms",
        {
            "name": "Demo request",
            "slug": "demo",
            "fields": {"mail": "email"},
            "required": ["mail"],
            "secret": "s3cret",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["has_secret"] is True and "secret" not in body
    bad = api.post("web-forms", {"name": "x", "slug": "demo", "fields": {"a": "salary"}})
    assert bad.status_code == 422 and {"slug", "fields"} <= set(bad.json()["errors"])
    patched = api.patch(f"web-forms/{body['id']}", {"version": 1, "per_hour": 5})
    assert patched.status_code == 200 and patched.json()["per_hour"] == 5
    assert api.patch(f"web-forms/{body['id']}", {"version": 1, "per_hour": 6}).status_code == 409
    assert api_as(owner).get("web-forms").status_code == 403
    assert (
        api_as(owner)
        .post("web-forms", {"name": "x", "slug": "x", "fields": {"a": "email"}})
        .status_code
        == 403
    )

    rule = api.post("lead-routing", {"name": "Team A", "team_id": team_a.pk, "countries": ["pl"]})
    assert rule.status_code == 201, rule.json()
    assert rule.json()["countries"] == ["PL"]
    assert (
        api.post(
            "lead-routing", {"name": "Both", "team_id": team_a.pk, "user_id": owner.pk}
        ).status_code
        == 422
    )
    assert api.delete(f"lead-routing/{rule.json()['id']}").status_code == 204
    assert RoutingRule.objects.count() == 0 and WebForm.objects.count() == 1


def test_convert_through_the_api(admin: Any, owner: Any, api_as: Any) -> None:
    pipe = make_pipeline(admin)
    lead = make_lead(owner, company_name="Acme", email="anna@acme.example")
    api = api_as(owner)
    stale = api.post(f"leads/{lead.pk}/convert", {"version": 9, "pipeline_id": pipe.pk})
    assert stale.status_code == 409
    done = api.post(
        f"leads/{lead.pk}/convert", {"version": 1, "pipeline_id": pipe.pk, "amount": "5000"}
    )
    assert done.status_code == 201, done.json()
    body = done.json()
    assert body["lead"]["status"] == "converted"
    assert Deal.objects.get(pk=body["deal_id"]).lead_id == lead.pk
    again = api.post(
        f"leads/{lead.pk}/convert", {"version": body["lead"]["version"], "pipeline_id": pipe.pk}
    )
    assert again.status_code == 409


def test_duplicates_and_merge_through_the_api(owner: Any, outsider: Any, api_as: Any) -> None:
    keep = make_lead(owner, email="anna@acme.example")
    other = make_lead(owner, email="anna@acme.example", phone="+48 600")
    api = api_as(owner)
    found = api.post("leads/duplicates", {"email": "ANNA@acme.example"}).json()
    assert {d["id"] for d in found} == {keep.pk, other.pk}
    assert [d["id"] for d in api.get(f"leads/{keep.pk}/duplicates").json()] == [other.pk]
    assert api_as(outsider).get(f"leads/{keep.pk}/duplicates").status_code == 404
    merged = api.post(
        f"leads/{keep.pk}/merge", {"version": 1, "other_id": other.pk, "other_version": 1}
    )
    assert merged.status_code == 200, merged.json()
    assert merged.json()["phone"] == "+48 600"
    assert Lead.objects.get(pk=other.pk).merged_into_id == keep.pk
    assert api.get(f"leads/{other.pk}").status_code == 404


def test_route_and_create_routed(
    admin: Any, manager: Any, owner: Any, teammate: Any, team_a: Any, api_as: Any
) -> None:
    api_as(admin).post("lead-routing", {"name": "Team A", "team_id": team_a.pk})
    lead = make_lead(manager, company_name="Acme")
    routed = api_as(manager).post(f"leads/{lead.pk}/route", {"version": 1})
    assert routed.status_code == 200, routed.json()
    assert routed.json()["owner"]["id"] in {owner.pk, teammate.pk}
    assert api_as(owner).post(f"leads/{lead.pk}/route", {"version": 2}).status_code == 403


def test_moving_to_sql_can_require_the_bant_fields(owner: Any, api_as: Any, settings: Any) -> None:
    settings.LEAD_SQL_REQUIRES = ["budget", "authority", "need", "timeline"]
    lead = make_lead(owner, company_name="Acme", need="A CRM for 20 reps")
    api = api_as(owner)
    refused = api.post(f"leads/{lead.pk}/status", {"version": 1, "status": "sql"})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"budget", "authority", "timeline"}
    assert Lead.objects.get(pk=lead.pk).status == "new"
    api.patch(
        f"leads/{lead.pk}",
        {"version": 1, "budget": "20000", "authority": "decision_maker", "timeline": "Q3"},
    )
    assert api.post(f"leads/{lead.pk}/status", {"version": 2, "status": "sql"}).status_code == 200
    settings.LEAD_SQL_REQUIRES = []
    other = make_lead(owner, company_name="Beta")
    assert api.post(f"leads/{other.pk}/status", {"version": 1, "status": "sql"}).status_code == 200
