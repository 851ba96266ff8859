"""The shared list mechanics, exercised through the people and leads lists."""

import csv
import io

import pytest
from openpyxl import load_workbook

from lejek.accounts.models import User
from lejek.contacts.models import Person
from lejek.leads.models import Lead
from lejek.web.models import SavedView
from lejek.web.tests import pages
from lejek.web.tests.pages import client_for, text

pytestmark = pytest.mark.django_db


def test_sorting_by_a_header_and_back(owner: User) -> None:
    for name in ["Cichy", "Adamski", "Bator"]:
        pages.person(owner, name)
    client = client_for(owner)
    ascending = client.get("/contacts/people/", {"sort": "last_name"})
    assert [p.last_name for p in ascending.context["rows"]] == ["Adamski", "Bator", "Cichy"]
    assert "sort=-last_name" in text(ascending)  # clicking again sorts descending
    descending = client.get("/contacts/people/", {"sort": "-last_name"})
    assert [p.last_name for p in descending.context["rows"]] == ["Cichy", "Bator", "Adamski"]


def test_a_sort_outside_the_allowlist_is_refused(owner: User) -> None:
    response = client_for(owner).get("/contacts/people/", {"sort": "owner__password"})
    assert response.status_code == 422
    assert "cannot be sorted" in text(response)
    assert response.context["rows"] == []


@pytest.mark.parametrize(
    "params", [{"page": "0"}, {"page": "x"}, {"page_size": "7"}, {"q": "x" * 201}]
)
def test_bad_list_parameters_answer_422(owner: User, params: dict[str, str]) -> None:
    assert client_for(owner).get("/contacts/people/", params).status_code == 422


def test_pages_without_counting(owner: User) -> None:
    for index in range(30):
        pages.person(owner, f"Name{index:02d}")
    client = client_for(owner)
    first = client.get("/contacts/people/", {"sort": "last_name", "page_size": "25"})
    assert len(first.context["rows"]) == 25
    assert first.context["has_next"] is True
    second = client.get("/contacts/people/", {"sort": "last_name", "page_size": "25", "page": "2"})
    assert [p.last_name for p in second.context["rows"]] == [f"Name{i}" for i in range(25, 30)]
    assert second.context["has_next"] is False
    assert "Rows 26–30" in text(second)


def test_search_and_filters_narrow_the_list(owner: User, manager: User) -> None:
    pages.person(owner, "Kowalski")
    pages.person(manager, "Nowak")
    client = client_for(manager)
    assert {p.last_name for p in client.get("/contacts/people/").context["rows"]} == {
        "Kowalski",
        "Nowak",
    }
    found = client.get("/contacts/people/", {"q": "kowal"}).context["rows"]
    assert [p.last_name for p in found] == ["Kowalski"]
    mine = client.get("/contacts/people/", {"owner": manager.pk}).context["rows"]
    assert [p.last_name for p in mine] == ["Nowak"]


def test_saved_views_are_per_user(owner: User, teammate: User) -> None:
    client = client_for(owner)
    response = client.post(
        "/views/",
        {
            "list_name": "people",
            "name": "Mine A-Z",
            "query": "sort=last_name&page=3&q=ko",
            "next": "/contacts/people/",
        },
    )
    assert response.status_code == 303
    assert response["Location"] == "/contacts/people/?sort=last_name&q=ko"
    view = SavedView.objects.get(user=owner)
    assert view.query == "sort=last_name&q=ko"  # the page is not part of a view
    body = text(client.get("/contacts/people/"))
    assert "Mine A-Z" in body
    assert "Mine A-Z" not in text(client_for(teammate).get("/contacts/people/"))
    # Someone else's view cannot be deleted (and its existence is not revealed).
    assert client_for(teammate).post(f"/views/{view.pk}/delete/").status_code == 404
    deleted = client.post(f"/views/{view.pk}/delete/", {"next": "https://evil.example/"})
    assert deleted.status_code == 303
    assert deleted["Location"] == "/"  # never redirects off the site
    assert not SavedView.objects.exists()


def test_saving_a_view_again_updates_it(owner: User) -> None:
    client = client_for(owner)
    for query in ["q=a", "q=b"]:
        client.post("/views/", {"list_name": "people", "name": "V", "query": query})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["q=b"]


def test_a_saved_view_needs_a_name(owner: User) -> None:
    client = client_for(owner)
    response = client.post("/views/", {"list_name": "people", "name": "", "next": "/leads/"})
    assert response.status_code == 303
    assert not SavedView.objects.exists()


def _csv_rows(response: object) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content)))


def test_export_is_the_filtered_list_and_formula_safe(owner: User) -> None:
    pages.person(owner, '=HYPERLINK("http://evil")', email="a@example.com")
    pages.person(owner, "Zenon")
    client = client_for(owner)
    response = client.get("/contacts/people/", {"export": "csv", "q": "hyperlink"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    rows = _csv_rows(response)
    assert rows[0][:3] == ["ID", "First name", "Last name"]
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'

    xlsx = client.get("/contacts/people/", {"export": "xlsx", "sort": "last_name"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ['\'=HYPERLINK("http://evil")', "Zenon"]


def test_too_large_a_workbook_is_refused(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from lejek.web import lists

    monkeypatch.setattr(lists, "MAX_XLSX_ROWS", 2)
    for name in ["A", "B", "C"]:
        pages.person(owner, name)
    client = client_for(owner)
    response = client.get("/contacts/people/", {"export": "xlsx", "q": ""})
    assert response.status_code == 303
    assert "export" not in response["Location"]
    assert "narrow the filters" in text(client.get(response["Location"]))
    assert client.get("/contacts/people/", {"export": "csv"}).status_code == 200


def test_export_respects_visibility(owner: User, outsider: User) -> None:
    pages.person(owner, "Visible")
    pages.person(outsider, "Hidden")
    rows = _csv_rows(client_for(owner).get("/contacts/people/", {"export": "csv"}))
    assert [row[2] for row in rows[1:]] == ["Visible"]


def test_bulk_assign_owner(manager: User, owner: User, teammate: User) -> None:
    people = [pages.person(owner, name) for name in ["A", "B"]]
    client = client_for(manager)
    response = client.post(
        "/contacts/people/",
        {
            "action": "assign_owner",
            "ids": [p.pk for p in people],
            "assign_owner-owner": teammate.pk,
            "query": "sort=last_name",
        },
    )
    assert response.status_code == 303
    assert response["Location"] == "/contacts/people/?sort=last_name"
    assert set(Person.objects.values_list("owner_id", flat=True)) == {teammate.pk}
    assert set(Person.objects.values_list("version", flat=True)) == {2}
    assert "Assign owner: 2 records changed." in text(client.get(response["Location"]))


def test_bulk_is_all_or_nothing_with_a_report_per_row(owner: User) -> None:
    working = pages.lead(owner, last_name="Working")
    converted = pages.lead(owner, last_name="Converted")
    Lead.objects.filter(pk=converted.pk).update(status=Lead.Status.CONVERTED)
    client = client_for(owner)
    response = client.post(
        "/leads/",
        {
            "action": "set_status",
            "ids": [working.pk, converted.pk, 999999],
            "set_status-status": Lead.Status.WORKING,
        },
    )
    assert response.status_code == 422
    body = text(response)
    assert "Nothing was changed." in body
    assert "Jan Converted" in body and "A converted lead keeps its status." in body
    assert "#999999" in body
    working.refresh_from_db()
    assert working.status == Lead.Status.NEW  # rolled back with the others
    assert working.version == 1
    assert f'value="{working.pk}" aria-label="Select" checked' in body  # selection kept


def test_bulk_refuses_what_the_actor_may_not_do(owner: User, outsider: User) -> None:
    person = pages.person(owner, "Mine")
    response = client_for(owner).post(
        "/contacts/people/",
        {"action": "assign_owner", "ids": [person.pk], "assign_owner-owner": outsider.pk},
    )
    assert response.status_code == 422
    person.refresh_from_db()
    assert person.owner == owner


def test_bulk_cannot_touch_invisible_rows(owner: User, outsider: User) -> None:
    theirs = pages.person(outsider, "Theirs")
    response = client_for(owner).post(
        "/contacts/people/",
        {"action": "assign_owner", "ids": [theirs.pk], "assign_owner-owner": owner.pk},
    )
    assert response.status_code == 422
    assert f"#{theirs.pk}" in text(response)
    theirs.refresh_from_db()
    assert theirs.owner == outsider


@pytest.mark.parametrize(
    "data",
    [
        {"action": "assign_owner"},
        {"action": "nope", "ids": ["1"]},
        {"action": "assign_owner", "ids": ["1"], "assign_owner-owner": "x"},
        {"action": "assign_owner", "ids": [str(n) for n in range(1, 300)]},
    ],
)
def test_bad_bulk_requests_answer_422(owner: User, data: dict[str, object]) -> None:
    assert client_for(owner).post("/contacts/people/", data).status_code == 422


def test_hostile_owner_names_are_escaped_in_the_choices(manager: User, owner: User) -> None:
    owner.first_name = pages.HOSTILE
    owner.save()
    pages.person(owner, "Kowalski")
    body = text(client_for(manager).get("/contacts/people/"))
    assert pages.HOSTILE not in body
    assert "&lt;script&gt;" in body


def test_lists_need_login(client: object) -> None:
    for url in ["/contacts/people/", "/contacts/organizations/", "/leads/", "/activities/"]:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
