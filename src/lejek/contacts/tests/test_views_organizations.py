"""Organization pages: list, record page per persona, fields edited in place, create."""

import pytest

from lejek.accounts.models import User
from lejek.contacts.models import Organization
from lejek.web.tests import pages
from lejek.web.tests.pages import CAN_SEE, HOSTILE, client_for, count_queries, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", list(CAN_SEE))
def test_organization_page_per_persona(personas: dict[str, User], persona: str) -> None:
    org = pages.organization(personas["owner"], "Acme")
    client = client_for(personas[persona])
    expected = 200 if CAN_SEE[persona] else 404
    assert client.get(f"/contacts/organizations/{org.pk}/").status_code == expected
    edit = client.post(
        f"/contacts/organizations/{org.pk}/fields/name/", {"name": "Taken", "version": "1"}
    )
    assert edit.status_code == expected
    org.refresh_from_db()
    assert (org.name == "Taken") is CAN_SEE[persona]
    listed = client.get("/contacts/organizations/").context["rows"]
    assert (org in listed) is CAN_SEE[persona]


def test_organization_page_lists_its_people_and_deals(owner: User, admin: User) -> None:
    org = pages.organization(owner, "Acme", website="javascript:alert(1)")
    pages.person(owner, "Kowalski", organization_id=org.pk)
    pages.deal(owner, pages.pipeline(admin), title="Acme renewal", organization_id=org.pk)
    body = text(client_for(owner).get(f"/contacts/organizations/{org.pk}/"))
    assert "Kowalski" in body and "Acme renewal" in body
    assert f'href="/contacts/people/new/?organization={org.pk}"' in body
    assert 'href="javascript:' not in body  # a stored script URL never becomes a link
    assert 'href="https://javascript:alert(1)"' in body


def test_filters_by_customer_and_country(owner: User) -> None:
    pages.organization(owner, "Polish", country="pl")
    customer = pages.organization(owner, "Customer", country="DE")
    Organization.objects.filter(pk=customer.pk).update(is_customer=True)
    client = client_for(owner)
    rows = client.get("/contacts/organizations/", {"country": "pl"}).context["rows"]
    assert [o.name for o in rows] == ["Polish"]
    rows = client.get("/contacts/organizations/", {"is_customer": "1"}).context["rows"]
    assert [o.name for o in rows] == ["Customer"]
    assert client.get("/contacts/organizations/", {"country": "POL"}).status_code == 422


def test_create_an_organization(owner: User) -> None:
    client = client_for(owner)
    assert client.get("/contacts/organizations/new/").status_code == 200
    response = client.post(
        "/contacts/organizations/new/",
        {"name": "Acme", "domain": "https://www.Acme.pl/about", "country": "pl", "employees": "12"},
    )
    org = Organization.objects.get()
    assert response.status_code == 302
    assert (org.domain, org.country, org.employees) == ("acme.pl", "PL", 12)
    bad = client.post("/contacts/organizations/new/", {"name": "", "employees": "-1"})
    assert bad.status_code == 422
    assert Organization.objects.count() == 1


def test_employees_edited_in_place_is_a_number(owner: User) -> None:
    org = pages.organization(owner, "Acme")
    url = f"/contacts/organizations/{org.pk}/fields/employees/"
    client = client_for(owner)
    assert client.post(url, {"employees": "many", "version": "1"}).status_code == 422
    assert client.post(url, {"employees": "1200", "version": "1"}).status_code == 200
    org.refresh_from_db()
    assert org.employees == 1200


def test_hostile_names_are_escaped(owner: User) -> None:
    org = pages.organization(owner, HOSTILE)
    client = client_for(owner)
    for url in [f"/contacts/organizations/{org.pk}/", "/contacts/organizations/"]:
        body = text(client.get(url))
        assert HOSTILE not in body


def test_organization_list_query_count_is_constant(owner: User, admin: User) -> None:
    pages.organization(owner, "First")
    client = client_for(admin)
    before = count_queries(client, "/contacts/organizations/")
    for index in range(10):
        pages.organization(owner, f"Org {index}")
    assert count_queries(client, "/contacts/organizations/") == before
