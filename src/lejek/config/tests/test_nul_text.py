"""Text with the NUL character is refused with a 422, never a server error.

PostgreSQL cannot store U+0000 in text, so a filter or a field holding it would
fail deep in the database; the API refuses it up front, on SQLite too, so both
databases answer the same.
"""

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_query_parameter_is_422(api_as: Any, owner: Any) -> None:
    response = api_as(owner).get("organizations", country="\x00", q="a\x00b")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and "NUL" in body["detail"]


def test_a_nul_in_a_json_body_is_422(api_as: Any, owner: Any) -> None:
    response = api_as(owner).post("organizations", {"name": "Acme\x00Corp"})
    assert response.status_code == 422
    assert "NUL" in response.json()["errors"]["body"][0]
    nested = api_as(owner).post("people", {"last_name": "Nowak", "x": ["ok", {"k": "\x00"}]})
    assert nested.status_code == 422


def test_invalid_json_is_400_and_a_list_is_422(owner: Any) -> None:
    from django.test import Client

    from lejek.accounts import services

    _, key = services.token_issue(user=owner, name="t")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    broken = client.post("/api/v1/organizations", "{not json", content_type="application/json")
    assert (
        broken.status_code == 400
        and broken.json()["detail"] == "The request body is not valid JSON."
    )
    listed = client.post("/api/v1/organizations", "[1, 2]", content_type="application/json")
    assert listed.status_code == 422


PAGES = {
    "/search/?q=ab%00c": 200,  # searches and lookups ignore the character
    "/pick/organization/?organization_q=a%00b": 200,
    "/pipelines/lookup/organizations/?q=a%00": 200,
    "/pipelines/lookup/people/?q=a%00": 200,
    "/pipelines/deals/?q=a%00": 422,  # list filters say which field is wrong
    "/contacts/people/?tag=x%00": 422,
}


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_nul_in_the_query_string_without_error(owner: Any, url: str) -> None:
    from django.test import Client

    client = Client()
    client.force_login(owner)
    assert client.get(url).status_code == PAGES[url]


def test_a_tag_typed_with_nul_is_stored_without_it(owner: Any) -> None:
    from django.test import Client

    from lejek.core.models import Tag
    from lejek.web.tests import pages

    person = pages.person(owner, "Nowak")
    client = Client()
    client.force_login(owner)
    assert client.post(f"/tags/person/{person.pk}/", {"tag": "a\x00b"}).status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == ["ab"]
