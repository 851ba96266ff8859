"""Tags: the bulk action on every list, the list filter, the record page, and the API."""

import csv
import io
from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.core.models import AuditEntry, Tag, Tagging
from lejek.web.tests import pages
from lejek.web.tests.pages import client_for, text

pytestmark = pytest.mark.django_db

LISTS = {
    "person": "/contacts/people/",
    "organization": "/contacts/organizations/",
    "lead": "/leads/",
}


def make(kind: str, owner: User, name: str) -> Any:
    if kind == "person":
        return pages.person(owner, name)
    if kind == "organization":
        return pages.organization(owner, name)
    return pages.lead(owner, last_name=name)


@pytest.mark.parametrize("kind", list(LISTS))
def test_bulk_add_tag_then_filter_and_export_by_it(owner: User, kind: str) -> None:
    tagged = [make(kind, owner, name) for name in ("Alpha", "Beta")]
    make(kind, owner, "Gamma")
    client = client_for(owner)
    ids = [r.pk for r in tagged]
    response = client.post(LISTS[kind], {"action": "add_tag", "ids": ids, "add_tag-tag": "VIP"})
    assert response.status_code == 303
    # Again, with other case: nothing doubles.
    client.post(LISTS[kind], {"action": "add_tag", "ids": ids, "add_tag-tag": "vip"})
    assert Tag.objects.count() == 1
    assert sorted(Tagging.objects.values_list("entity_id", flat=True)) == sorted(ids)
    assert AuditEntry.objects.filter(field="tags", new_value="+VIP").count() == 2
    page = text(client.get(LISTS[kind], {"tag": "vip"}))
    assert "Alpha" in page and "Beta" in page and "Gamma" not in page
    assert "VIP" in page  # the badge in the row
    export = client.get(LISTS[kind], {"tag": "VIP", "export": "csv"})
    body = b"".join(export.streaming_content) if export.streaming else export.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 3  # the header and the two tagged records


def test_bulk_add_tag_needs_a_name_and_visible_rows(owner: User, outsider: User) -> None:
    mine, theirs = pages.person(owner, "Mine"), pages.person(outsider, "Theirs")
    client = client_for(owner)
    empty = client.post(LISTS["person"], {"action": "add_tag", "ids": [mine.pk], "add_tag-tag": ""})
    assert empty.status_code == 422
    hidden = client.post(
        LISTS["person"], {"action": "add_tag", "ids": [mine.pk, theirs.pk], "add_tag-tag": "X"}
    )
    assert hidden.status_code == 422
    assert not Tagging.objects.exists()  # all or nothing


def test_record_page_adds_and_removes_tags(owner: User, outsider: User) -> None:
    person = pages.person(owner, "Nowak")
    client = client_for(owner)
    url = f"/tags/person/{person.pk}/"
    assert 'hx-get="' + url in text(client.get(f"/contacts/people/{person.pk}/"))
    added = client.post(url, {"tag": "  Key   account "})
    assert added.status_code == 200 and "Key account" in text(added)
    assert list(Tag.objects.values_list("name", flat=True)) == ["Key account"]
    too_long = client.post(url, {"tag": "x" * 51})
    assert too_long.status_code == 422 and "at most 50" in text(too_long)
    removed = client.post(url, {"tag": "key account", "remove": "1"})
    assert removed.status_code == 200 and not Tagging.objects.exists()
    assert AuditEntry.objects.filter(field="tags", old_value="-Key account").exists()
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, {"tag": "Sneaky"}).status_code == 404
    assert client.get("/tags/planet/1/").status_code == 404


def test_api_applies_tags_all_or_nothing(api_as: Any, owner: User, outsider: User) -> None:
    mine = [pages.person(owner, n) for n in ("A", "B")]
    theirs = pages.person(outsider, "C")
    api = api_as(owner)
    refused = api.post(
        "tags/apply", {"entity_type": "person", "ids": [mine[0].pk, theirs.pk], "add": ["Hot"]}
    )
    assert refused.status_code == 404 and not Tagging.objects.exists()
    done = api.post(
        "tags/apply", {"entity_type": "person", "ids": [p.pk for p in mine], "add": ["Hot", "Q4"]}
    )
    assert done.status_code == 200 and done.json() == {"added": 4, "removed": 0}
    assert api.get(f"tags/person/{mine[0].pk}").json() == ["Hot", "Q4"]
    found = api.get("tags/records", entity_type="person", tag="hot").json()
    assert sorted(found["ids"]) == sorted(p.pk for p in mine) and not found["truncated"]
    assert api_as(outsider).get("tags/records", entity_type="person", tag="Hot").json()["ids"] == []
    assert api_as(outsider).get(f"tags/person/{mine[0].pk}").status_code == 404
    off = api.post("tags/apply", {"entity_type": "person", "ids": [mine[0].pk], "remove": ["Q4"]})
    assert off.json() == {"added": 0, "removed": 1}
    assert [t["name"] for t in api.get("tags").json()] == ["Hot", "Q4"]
    bad = api.post("tags/apply", {"entity_type": "planet", "ids": [1], "add": ["x"]})
    assert bad.status_code == 422
