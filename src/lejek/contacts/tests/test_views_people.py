"""People pages: list, record page per persona, fields edited in place, create."""

import pytest

from lejek.accounts.models import User
from lejek.contacts.models import Person
from lejek.core.models import AuditEntry
from lejek.web.tests import pages
from lejek.web.tests.pages import CAN_SEE, HOSTILE, client_for, count_queries, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", list(CAN_SEE))
def test_person_page_per_persona(personas: dict[str, User], persona: str) -> None:
    person = pages.person(personas["owner"], "Kowalski")
    client = client_for(personas[persona])
    expected = 200 if CAN_SEE[persona] else 404
    assert client.get(f"/contacts/people/{person.pk}/").status_code == expected
    field = client.get(f"/contacts/people/{person.pk}/fields/last_name/", {"edit": "1"})
    assert field.status_code == expected
    listed = client.get("/contacts/people/").context["rows"]
    assert (person in listed) is CAN_SEE[persona]


def test_person_page_shows_fields_deals_and_the_activity_panel(owner: User, admin: User) -> None:
    org = pages.organization(owner, "Acme")
    person = pages.person(owner, "Kowalski", first_name="Jan", organization_id=org.pk)
    pages.deal(owner, pages.pipeline(admin), title="Big one", person_ids=[person.pk])
    body = text(client_for(owner).get(f"/contacts/people/{person.pk}/"))
    assert "Jan Kowalski" in body
    assert f'href="/contacts/organizations/{org.pk}/"' in body
    assert "Big one" in body
    assert 'id="record-panel"' in body and "Log a call" in body
    assert f'id="record-version" name="version" value="{person.version}"' in body


def test_unknown_ids_and_fields_answer_404(owner: User) -> None:
    person = pages.person(owner)
    client = client_for(owner)
    assert client.get("/contacts/people/999999999/").status_code == 404
    assert client.get(f"/contacts/people/{person.pk}/fields/password/").status_code == 404
    assert client.get("/contacts/people/99999999999999999999/").status_code == 404


def test_edit_a_field_in_place(owner: User) -> None:
    person = pages.person(owner, "Kowalski")
    client = client_for(owner)
    url = f"/contacts/people/{person.pk}/fields/last_name/"
    form = client.get(url, {"edit": "1"})
    assert 'name="last_name"' in text(form) and 'hx-include="#record-version"' in text(form)
    response = client.post(url, {"last_name": "Nowak", "version": "1"})
    assert response.status_code == 200
    body = text(response)
    assert "Nowak" in body
    assert 'id="record-version" name="version" value="2" hx-swap-oob="true"' in body
    person.refresh_from_db()
    assert (person.last_name, person.version) == ("Nowak", 2)
    assert AuditEntry.objects.filter(entity_type="person", field="last_name").count() == 1


def test_a_stale_version_is_a_conflict_not_an_overwrite(owner: User) -> None:
    person = pages.person(owner, "Kowalski")
    client = client_for(owner)
    url = f"/contacts/people/{person.pk}/fields/last_name/"
    assert client.post(url, {"last_name": "First", "version": "1"}).status_code == 200
    stale = client.post(url, {"last_name": "Second", "version": "1"})
    assert stale.status_code == 409
    assert "changed by someone else" in text(stale)
    person.refresh_from_db()
    assert person.last_name == "First"


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("last_name", {"last_name": ""}),
        ("email", {"email": "not-an-email"}),
        ("last_name", {"last_name": "x" * 101}),
        ("last_name", {"last_name": "Ok", "version": "abc"}),
        ("organization", {"organization": "999999"}),
    ],
)
def test_invalid_edits_answer_422(owner: User, field: str, data: dict[str, str]) -> None:
    person = pages.person(owner, "Kowalski")
    url = f"/contacts/people/{person.pk}/fields/{field}/"
    response = client_for(owner).post(url, {"version": "1", **data})
    assert response.status_code == 422
    person.refresh_from_db()
    assert person.version == 1


def test_changing_the_organization_and_owner(manager: User, owner: User, teammate: User) -> None:
    org = pages.organization(owner, "Acme")
    person = pages.person(owner, "Kowalski")
    client = client_for(manager)
    base = f"/contacts/people/{person.pk}/fields"
    assert (
        client.post(f"{base}/organization/", {"organization": org.pk, "version": "1"}).status_code
        == 200
    )
    response = client.post(f"{base}/owner/", {"owner": teammate.pk, "version": "2"})
    assert response.status_code == 200
    assert "Teammate" in text(response)
    person.refresh_from_db()
    assert (person.organization_id, person.owner_id, person.version) == (org.pk, teammate.pk, 3)


def test_a_rep_cannot_give_a_person_away(owner: User, teammate: User) -> None:
    person = pages.person(owner, "Kowalski")
    url = f"/contacts/people/{person.pk}/fields/owner/"
    response = client_for(owner).post(url, {"owner": teammate.pk, "version": "1"})
    assert response.status_code == 422  # not one of the choices a rep has
    person.refresh_from_db()
    assert person.owner == owner


def test_create_a_person(owner: User) -> None:
    org = pages.organization(owner, "Acme")
    client = client_for(owner)
    assert client.get("/contacts/people/new/", {"organization": org.pk}).status_code == 200
    response = client.post(
        "/contacts/people/new/",
        {"first_name": "Anna", "last_name": "Nowak", "email": "ANNA@x.pl", "organization": org.pk},
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/people/{person.pk}/"
    assert (person.email, person.organization_id, person.owner_id) == (
        "anna@x.pl",
        org.pk,
        owner.pk,
    )


def test_create_refuses_bad_input(owner: User, outsider: User) -> None:
    hidden = pages.organization(outsider, "Hidden")
    client = client_for(owner)
    assert client.post("/contacts/people/new/", {"last_name": ""}).status_code == 422
    response = client.post("/contacts/people/new/", {"last_name": "X", "organization": hidden.pk})
    assert response.status_code == 422
    assert "that you can see" in text(response)
    assert not Person.objects.exists()


def test_hostile_names_are_escaped(owner: User) -> None:
    person = pages.person(owner, HOSTILE, job_title=HOSTILE)
    client = client_for(owner)
    for url in [f"/contacts/people/{person.pk}/", "/contacts/people/"]:
        body = text(client.get(url))
        assert HOSTILE not in body
        assert "&lt;script&gt;" in body


def test_people_list_query_count_is_constant(owner: User, manager: User) -> None:
    org = pages.organization(owner, "Acme")
    pages.person(owner, "A", organization_id=org.pk)
    client = client_for(manager)
    before = count_queries(client, "/contacts/people/")
    for index in range(10):
        pages.person(owner, f"P{index}", organization_id=pages.organization(owner, f"O{index}").pk)
    assert count_queries(client, "/contacts/people/") == before
