"""Global search: prefix matches per kind, only what the user may see, escaped."""

import pytest

from lejek.accounts.models import User
from lejek.web import search
from lejek.web.tests import pages
from lejek.web.tests.pages import HOSTILE, client_for, text

pytestmark = pytest.mark.django_db


def titles(user: User, query: str) -> dict[str, list[str]]:
    return {kind: [hit.title for hit in hits] for kind, hits in search.search(user, query).items()}


def test_every_kind_is_found_by_the_start_of_its_name(owner: User, admin: User) -> None:
    org = pages.organization(owner, "Kowalski Sp. z o.o.", domain="kowalski.pl")
    pages.person(owner, "Kowalski", first_name="Jan", organization_id=org.pk)
    pages.lead(owner, last_name="Kowalczyk")
    pages.deal(owner, pages.pipeline(admin), title="Kowalski renewal")
    pages.person(owner, "Nowak")
    found = titles(owner, "kowal")
    assert found == {
        "person": ["Jan Kowalski"],
        "organization": ["Kowalski Sp. z o.o."],
        "deal": ["Kowalski renewal"],
        "lead": ["Jan Kowalczyk"],
    }
    assert titles(owner, "owal") == {"person": [], "organization": [], "deal": [], "lead": []}


def test_only_visible_records_are_found(owner: User, outsider: User, manager: User) -> None:
    pages.person(owner, "Kowalski")
    pages.person(outsider, "Kowalewski")
    pages.lead(outsider, last_name="Kowal")
    assert titles(owner, "kow")["person"] == ["Kowalski"]
    assert titles(owner, "kow")["lead"] == []
    assert titles(manager, "kow")["person"] == ["Kowalski"]
    assert titles(outsider, "kow")["person"] == ["Kowalewski"]


def test_search_by_email_domain_and_full_name(owner: User) -> None:
    pages.person(owner, "Nowak", first_name="Anna", email="anna@firma.pl")
    pages.person(owner, "Nowak", first_name="Piotr")
    pages.organization(owner, "Firma", domain="firma.pl")
    assert titles(owner, "anna@fi")["person"] == ["Anna Nowak"]
    assert titles(owner, "firma.p")["organization"] == ["Firma"]
    assert titles(owner, "anna nowak")["person"] == ["Anna Nowak"]
    assert titles(owner, "nowak piotr")["person"] == ["Piotr Nowak"]


def test_polish_and_russian_names_match_in_any_case(owner: User) -> None:
    pages.person(owner, "Иванов")
    pages.person(owner, "Łukasiewicz")
    assert titles(owner, "иван")["person"] == ["Иванов"]
    assert titles(owner, "ИВАН")["person"] == ["Иванов"]
    assert titles(owner, "łukas")["person"] == ["Łukasiewicz"]


def test_results_are_limited_per_kind(owner: User) -> None:
    for index in range(search.PER_KIND + 3):
        pages.person(owner, f"Smith{index:02d}")
    assert len(titles(owner, "smith")["person"]) == search.PER_KIND


def test_short_queries_and_wildcards_find_nothing(owner: User) -> None:
    pages.person(owner, "A%b_c")
    pages.person(owner, "Axbyc")
    assert search.search(owner, "a") == {}
    assert titles(owner, "a%b")["person"] == ["A%b_c"]  # % and _ are literal


def test_search_page_renders_hits_escaped(owner: User) -> None:
    person = pages.person(owner, HOSTILE)
    client = client_for(owner)
    response = client.get("/search/", {"q": "<scr"})
    assert response.status_code == 200
    body = text(response)
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body
    assert f'href="/contacts/people/{person.pk}/"' in body
    assert "Nothing starts with" in text(client.get("/search/", {"q": "zzz"}))
    assert text(client.get("/search/", {"q": "z"})).strip() == ""


def test_search_needs_login(client: object) -> None:
    assert client.get("/search/", {"q": "abc"}).status_code == 302  # type: ignore[attr-defined]


def test_organization_picker_offers_visible_organizations(owner: User, outsider: User) -> None:
    pages.organization(owner, "Acme")
    pages.organization(outsider, "Acme Hidden")
    body = text(client_for(owner).get("/pick/organization/", {"organization_q": "acm"}))
    assert "Acme" in body and "Hidden" not in body
