"""Lead pages: list, record page per persona, status changes, fields edited in place, create."""

from decimal import Decimal

import pytest

from lejek.accounts.models import User
from lejek.leads.models import Lead
from lejek.web.tests import pages
from lejek.web.tests.pages import CAN_SEE, HOSTILE, client_for, count_queries, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", list(CAN_SEE))
def test_lead_page_per_persona(personas: dict[str, User], persona: str) -> None:
    lead = pages.lead(personas["owner"])
    client = client_for(personas[persona])
    expected = 200 if CAN_SEE[persona] else 404
    assert client.get(f"/leads/{lead.pk}/").status_code == expected
    status = client.post(f"/leads/{lead.pk}/status/", {"status": "working", "version": "1"})
    assert status.status_code == (303 if CAN_SEE[persona] else 404)
    lead.refresh_from_db()
    assert (lead.status == Lead.Status.WORKING) is CAN_SEE[persona]
    listed = client.get("/leads/").context["rows"]
    assert (lead in listed) is CAN_SEE[persona]


def test_lead_page_shows_qualification_status_and_panel(owner: User) -> None:
    lead = pages.lead(owner, budget=Decimal("12500"), budget_currency="PLN", need="CRM")
    body = text(client_for(owner).get(f"/leads/{lead.pk}/"))
    assert "Jan Kowalski" in body
    assert "12,500\xa0PLN" in body
    assert 'id="status-form"' in body
    assert 'id="record-panel"' in body


def test_disqualifying_needs_a_reason(owner: User) -> None:
    lead = pages.lead(owner)
    client = client_for(owner)
    missing = client.post(f"/leads/{lead.pk}/status/", {"status": "disqualified", "version": "1"})
    assert missing.status_code == 422
    assert "Say why the lead is disqualified." in text(missing)
    response = client.post(
        f"/leads/{lead.pk}/status/",
        {"status": "disqualified", "disqualified_reason": "No budget", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    lead.refresh_from_db()
    assert (lead.status, lead.disqualified_reason) == ("disqualified", "No budget")
    assert "Disqualified:" in text(client.get(f"/leads/{lead.pk}/"))


def test_status_change_at_a_stale_version_is_a_conflict(owner: User) -> None:
    lead = pages.lead(owner)
    client = client_for(owner)
    client.post(f"/leads/{lead.pk}/fields/phone/", {"phone": "123", "version": "1"})
    stale = client.post(f"/leads/{lead.pk}/status/", {"status": "working", "version": "1"})
    assert stale.status_code == 409
    assert "changed by someone else" in text(stale)
    missing = client.post(f"/leads/{lead.pk}/status/", {"status": "working"})
    assert missing.status_code == 422


def test_converted_cannot_be_chosen_by_hand(owner: User) -> None:
    lead = pages.lead(owner)
    response = client_for(owner).post(
        f"/leads/{lead.pk}/status/", {"status": "converted", "version": "1"}
    )
    assert response.status_code == 422
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_edit_lead_fields_in_place(owner: User) -> None:
    lead = pages.lead(owner)
    client = client_for(owner)
    base = f"/leads/{lead.pk}/fields"
    assert client.post(f"{base}/budget/", {"budget": "1500.50", "version": "1"}).status_code == 200
    assert client.post(f"{base}/source/", {"source": "referral", "version": "2"}).status_code == 200
    assert client.post(f"{base}/source/", {"source": "nope", "version": "3"}).status_code == 422
    response = client.post(f"{base}/authority/", {"authority": "decision_maker", "version": "3"})
    assert response.status_code == 200
    assert "Decision maker" in text(response)
    lead.refresh_from_db()
    assert (lead.budget, lead.budget_currency, lead.source) == (
        Decimal("1500.50"),
        "USD",
        "referral",
    )
    assert lead.version == 4


def test_clearing_every_name_is_refused(owner: User) -> None:
    lead = pages.lead(owner, first_name="", last_name="Solo")
    response = client_for(owner).post(
        f"/leads/{lead.pk}/fields/last_name/", {"last_name": "", "version": "1"}
    )
    assert response.status_code == 422
    assert "needs at least a name" in text(response)


def test_create_a_lead(owner: User) -> None:
    client = client_for(owner)
    assert client.get("/leads/new/").status_code == 200
    response = client.post("/leads/new/", {"company_name": "Acme", "source": "event"})
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.company_name, lead.source, lead.owner_id) == ("Acme", "event", owner.pk)
    empty = client.post("/leads/new/", {"source": "event"})
    assert empty.status_code == 422
    assert Lead.objects.count() == 1


def test_list_filters_by_status_and_source(owner: User) -> None:
    pages.lead(owner, last_name="Fresh", source="event")
    pages.lead(owner, last_name="Busy", status="working")
    client = client_for(owner)
    rows = client.get("/leads/", {"status": "working"}).context["rows"]
    assert [lead.last_name for lead in rows] == ["Busy"]
    rows = client.get("/leads/", {"source": "event"}).context["rows"]
    assert [lead.last_name for lead in rows] == ["Fresh"]
    assert client.get("/leads/", {"status": "bogus"}).status_code == 422


def test_bulk_disqualify_with_a_reason(owner: User) -> None:
    leads = [pages.lead(owner, last_name=name) for name in ["A", "B"]]
    client = client_for(owner)
    data = {"action": "set_status", "ids": [lead.pk for lead in leads]}
    no_reason = client.post("/leads/", {**data, "set_status-status": "disqualified"})
    assert no_reason.status_code == 422
    response = client.post(
        "/leads/",
        {**data, "set_status-status": "disqualified", "set_status-disqualified_reason": "Spam"},
    )
    assert response.status_code == 303
    assert set(Lead.objects.values_list("disqualified_reason", flat=True)) == {"Spam"}


def test_polish_labels_on_the_lead_page(owner: User) -> None:
    lead = pages.lead(owner, status="working")
    client = client_for(owner)
    client.post("/account/language/", {"language": "pl", "next": "/"})
    body = text(client.get(f"/leads/{lead.pk}/"))
    assert "Kwalifikacja" in body and "W toku" in body and "Zmień status" in body


def test_hostile_names_are_escaped(owner: User) -> None:
    lead = pages.lead(owner, company_name=HOSTILE, title=HOSTILE)
    client = client_for(owner)
    for url in [f"/leads/{lead.pk}/", "/leads/"]:
        assert HOSTILE not in text(client.get(url))


def test_lead_list_query_count_is_constant(owner: User, manager: User) -> None:
    pages.lead(owner)
    client = client_for(manager)
    before = count_queries(client, "/leads/")
    for index in range(10):
        pages.lead(owner, last_name=f"L{index}")
    assert count_queries(client, "/leads/") == before
