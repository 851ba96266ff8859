import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.core.models import AuditEntry
from lejek.leads import services
from lejek.leads.models import Lead
from lejek.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

HUGE_ID = 10**20


# --- happy paths --------------------------------------------------------------------------


def test_create_returns_201_with_the_lead(api_as, owner):
    response = api_as(owner).post(
        "leads",
        {
            "first_name": "Anna",
            "last_name": "Nowak",
            "email": "Anna@Acme.PL",
            "company_name": "Acme",
            "company_domain": "www.acme.pl/",
            "country": "pl",
            "source": "web_form",
            "campaign": "Spring",
            "budget": "12000.5",
            "budget_currency": "pln",
            "authority": "decision_maker",
            "company_size": 40,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "Anna Nowak"
    assert (body["email"], body["company_domain"], body["country"]) == (
        "anna@acme.pl",
        "acme.pl",
        "PL",
    )
    assert (body["budget"], body["budget_currency"]) == ("12000.50", "PLN")
    assert (body["status"], body["version"], body["score"]) == ("new", 1, 0)
    assert body["owner"] == {"id": owner.pk, "username": "owner", "display_name": "Owner"}
    assert body["response_time_seconds"] is None
    assert AuditEntry.objects.filter(
        entity_type="lead", entity_id=body["id"], action="created"
    ).exists()


def test_get_shows_response_time(api_as, owner):
    lead = make_lead(owner)
    touched = lead.created_at + datetime.timedelta(minutes=90)
    Lead.objects.filter(pk=lead.pk).update(first_outbound_at=touched)
    body = api_as(owner).get(f"leads/{lead.pk}").json()
    assert body["response_time_seconds"] == 5400
    assert body["id"] == lead.pk


def test_patch_changes_fields_and_audits(api_as, owner):
    lead = make_lead(owner)
    response = api_as(owner).patch(
        f"leads/{lead.pk}", {"version": 1, "job_title": "CTO", "budget_confirmed": True}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["job_title"], response.json()["version"]) == ("CTO", 2)
    fields = set(
        AuditEntry.objects.filter(entity_id=lead.pk, action="updated").values_list(
            "field", flat=True
        )
    )
    assert fields == {"job_title", "budget_confirmed"}


def test_patch_with_stale_version_is_409(api_as, owner):
    lead = make_lead(owner)
    client = api_as(owner)
    assert client.patch(f"leads/{lead.pk}", {"version": 1, "phone": "1"}).status_code == 200
    stale = client.patch(f"leads/{lead.pk}", {"version": 1, "phone": "2"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Lead.objects.get(pk=lead.pk).phone == "1"


def test_status_endpoint_moves_and_audits(api_as, owner):
    lead = make_lead(owner)
    client = api_as(owner)
    response = client.post(
        f"leads/{lead.pk}/status",
        {"version": 1, "status": "disqualified", "disqualified_reason": "No budget"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["disqualified_reason"]) == (
        "disqualified",
        "No budget",
    )
    response = client.post(f"leads/{lead.pk}/status", {"version": 2, "status": "sql"})
    body = response.json()
    assert (body["status"], body["disqualified_reason"], body["version"]) == ("sql", "", 3)
    assert body["qualified_at"] is not None
    moves = AuditEntry.objects.filter(entity_id=lead.pk, entity_type="lead", field="status")
    assert sorted(moves.values_list("old_value", "new_value")) == [
        ("disqualified", "sql"),
        ("new", "disqualified"),
    ]


def test_delete_then_restore(api_as, owner):
    lead = make_lead(owner)
    client = api_as(owner)
    assert client.delete(f"leads/{lead.pk}", version=1).status_code == 204
    assert client.get(f"leads/{lead.pk}").status_code == 404
    assert client.get("leads").json()["items"] == []
    response = client.post(f"leads/{lead.pk}/restore")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3
    assert client.get(f"leads/{lead.pk}").status_code == 200
    actions = AuditEntry.objects.filter(entity_type="lead", entity_id=lead.pk)
    assert set(actions.values_list("action", flat=True)) == {"created", "deleted", "restored"}


def test_list_filters_sorts_and_pages(api_as, owner):
    for i, status in enumerate(["new", "mql", "working", "mql"]):
        lead = make_lead(owner, last_name=f"L{i}", status=status)
        Lead.objects.filter(pk=lead.pk).update(score=i * 10)
    client = api_as(owner)
    body = client.get("leads", status="mql,working", sort="-score", page_size=2).json()
    assert [item["last_name"] for item in body["items"]] == ["L3", "L2"]
    assert body["has_next"] is True
    body = client.get("leads", status="mql,working", sort="-score", page_size=2, page=2).json()
    assert [item["last_name"] for item in body["items"]] == ["L1"]
    assert body["has_next"] is False
    default = client.get("leads").json()["items"]
    assert [item["last_name"] for item in default] == ["L3", "L2", "L1", "L0"]


def test_list_query_count_is_constant(api_as, manager, owner, teammate):
    client = api_as(manager)
    for i in range(3):
        make_lead(owner, last_name=f"Own {i}")
    client.get("leads")  # the first call also records the token's last use
    with CaptureQueriesContext(connection) as small:
        assert client.get("leads").status_code == 200
    for i in range(10):
        make_lead(teammate, last_name=f"Mate {i}")
        make_lead(manager, last_name=f"Mine {i}")
    with CaptureQueriesContext(connection) as large:
        response = client.get("leads", sort="last_name")
    assert len(response.json()["items"]) == 23
    assert len(large) == len(small)


def test_anonymous_gets_401(api_as, owner):
    lead = make_lead(owner)
    anonymous = api_as(None)
    assert anonymous.get("leads").status_code == 401
    assert anonymous.get(f"leads/{lead.pk}").status_code == 401
    assert anonymous.post("leads", {"last_name": "X"}).status_code == 401
    assert anonymous.post(f"leads/{lead.pk}/restore").status_code == 401


# --- bad input ----------------------------------------------------------------------------


def errors_of(response) -> set[str]:
    assert response.status_code == 422, response.content
    return set(response.json()["errors"])


def test_create_bad_input_is_422_per_field(api_as, owner):
    response = api_as(owner).post(
        "leads",
        {
            "last_name": "Nowak",
            "email": "not-an-email",
            "budget": "-1",
            "country": "POL",
            "company_size": -3,
            "source": "television",
            "status": "won",
            "authority": "boss",
            "budget_currency": "US",
            "owner_id": 0,
        },
    )
    assert errors_of(response) == {
        "email",
        "budget",
        "country",
        "company_size",
        "source",
        "status",
        "authority",
        "budget_currency",
        "owner_id",
    }
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"budget": "10.123"}, "budget"),
        ({"budget": "NaN"}, "budget"),
        ({"budget": "Infinity"}, "budget"),
        ({"budget": "1e20"}, "budget"),
        ({"budget": "12", "budget_currency": "XYZ"}, "budget_currency"),
        ({"company_size": 10**12}, "company_size"),
        ({"owner_id": HUGE_ID}, "owner_id"),
        ({"owner_id": 123456}, "owner_id"),
        ({"status": "converted"}, "status"),
        ({"status": "disqualified"}, "disqualified_reason"),
        ({"disqualified_reason": "why"}, "disqualified_reason"),
        ({"title": "x" * 201}, "title"),
        ({"need": "x" * 10_001}, "need"),
        ({"last_name": None}, "last_name"),
        ({"budget_confirmed": "maybe"}, "budget_confirmed"),
    ],
)
def test_create_bad_values(api_as, owner, payload, field):
    response = api_as(owner).post("leads", {"last_name": "Nowak", **payload})
    assert field in errors_of(response)


def test_create_without_any_identity_is_422(api_as, owner):
    response = api_as(owner).post("leads", {"phone": "123"})
    assert "last_name" in errors_of(response)


def test_create_with_a_non_object_body_is_422(api_as, owner):
    assert api_as(owner).post("leads", ["not", "an", "object"]).status_code == 422


def test_converted_status_message_is_clear(api_as, owner):
    lead = make_lead(owner)
    response = api_as(owner).post(f"leads/{lead.pk}/status", {"version": 1, "status": "converted"})
    assert errors_of(response) == {"status"}
    assert "cannot be set by hand" in response.json()["errors"]["status"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "version"),
        ({"version": 0}, "version"),
        ({"version": 1, "email": "bad"}, "email"),
        ({"version": 1, "source": None}, "source"),
        ({"version": 1, "status": None}, "status"),
        ({"version": 1, "status": "converted"}, "status"),
        ({"version": 1, "budget_confirmed": None}, "budget_confirmed"),
        ({"version": 1, "budget": -5}, "budget"),
        ({"version": 1, "country": "Poland"}, "country"),
        ({"version": 1, "owner_id": HUGE_ID}, "owner_id"),
        ({"version": 1, "first_name": "", "last_name": ""}, "last_name"),
    ],
)
def test_patch_bad_values(api_as, owner, payload, field):
    lead = make_lead(owner)
    response = api_as(owner).patch(f"leads/{lead.pk}", payload)
    assert field in errors_of(response)
    assert Lead.objects.get(pk=lead.pk).version == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "working"}, "version"),
        ({"version": 1}, "status"),
        ({"version": 1, "status": "lost"}, "status"),
        ({"version": 1, "status": "disqualified"}, "disqualified_reason"),
        (
            {"version": 1, "status": "disqualified", "disqualified_reason": "x" * 201},
            "disqualified_reason",
        ),
        ({"version": 1, "status": "working", "disqualified_reason": "spam"}, "disqualified_reason"),
    ],
)
def test_status_bad_values(api_as, owner, payload, field):
    lead = make_lead(owner)
    response = api_as(owner).post(f"leads/{lead.pk}/status", payload)
    assert field in errors_of(response)
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_status_with_stale_version_is_409(api_as, owner):
    lead = make_lead(owner)
    response = api_as(owner).post(f"leads/{lead.pk}/status", {"version": 5, "status": "working"})
    assert response.status_code == 409
    assert response.json()["current_version"] == 1


def test_delete_needs_the_current_version(api_as, owner):
    lead = make_lead(owner)
    client = api_as(owner)
    assert "version" in errors_of(client.delete(f"leads/{lead.pk}"))
    assert "version" in errors_of(client.delete(f"leads/{lead.pk}", version="one"))
    assert "version" in errors_of(client.delete(f"leads/{lead.pk}", version=0))
    assert "version" in errors_of(client.delete(f"leads/{lead.pk}", version=10**20))
    stale = client.delete(f"leads/{lead.pk}", version=3)
    assert stale.status_code == 409
    assert Lead.objects.get(pk=lead.pk).deleted_at is None


def test_restore_of_a_live_lead_is_409_and_unknown_is_404(api_as, owner):
    lead = make_lead(owner)
    client = api_as(owner)
    assert client.post(f"leads/{lead.pk}/restore").status_code == 409
    assert client.post("leads/999999/restore").status_code == 404
    assert client.post(f"leads/{HUGE_ID}/restore").status_code == 404


def test_unknown_and_huge_ids_are_404(api_as, owner):
    client = api_as(owner)
    assert client.get("leads/999999").status_code == 404
    assert client.get(f"leads/{HUGE_ID}").status_code == 404
    assert client.patch(f"leads/{HUGE_ID}", {"version": 1}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "won"}, "status"),
        ({"status": "new,lost"}, "status"),
        ({"sort": "owner__password"}, "sort"),
        ({"sort": "-email"}, "sort"),
        ({"source": "tv"}, "source"),
        ({"owner_id": HUGE_ID}, "owner_id"),
        ({"owner_id": "me"}, "owner_id"),
        ({"min_score": "high"}, "min_score"),
        ({"min_score": 10**12}, "min_score"),
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"created_from": "2026-03-10", "created_to": "2026-03-01"}, "created_to"),
        ({"page": 0}, "page"),
        ({"page_size": 1000}, "page_size"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_list_bad_filters_are_422(api_as, owner, params, field):
    assert field in errors_of(api_as(owner).get("leads", **params))


def test_restore_via_api_leaves_it_visible_in_list(api_as, owner):
    lead = make_lead(owner)
    services.lead_delete(actor=owner, lead=lead, version=1)
    client = api_as(owner)
    assert client.post(f"leads/{lead.pk}/restore").status_code == 200
    assert [item["id"] for item in client.get("leads").json()["items"]] == [lead.pk]
