"""Every page route × actors: no leaks, no server errors, denied writes change nothing.

The routes come from the URL resolver itself, so a page added later is covered
without editing this file. A rep's records (deal, person, organization, lead,
activity, saved view) carry a marker in their names; then every route is
requested with those records' ids:

- anonymous: every GET is sent to the log-in page (or refused), except the
  few public addresses; nothing shows the marker;
- a rep of another team and a manager of another team: no GET or htmx partial
  shows the marker (lists, search, exports, timelines, lookups included), and
  after a POST to every route — bulk actions, field edits, moves, status
  changes — every one of the rep's records is exactly as it was;
- nobody gets a server error.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.core.models import Tagging
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal
from lejek.web.models import SavedView

pytestmark = pytest.mark.django_db

MARKER = "Zq7Secret"
PUBLIC = {"login", "logout", "health", "set_language", "plotly-js", "webform-submit"}
EXPORTS = ["?export=csv", "?export=xlsx"]


def routes() -> list[tuple[str, str, str]]:
    found = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern):
                found.append((namespace or "", pattern.name or "", prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", None)
    # The JSON API has its own matrix (tests/test_access_matrix.py); the admin is Django's.
    return [r for r in found if not r[2].startswith(("api/", "^api/", "admin/"))]


@pytest.fixture
def world(owner, admin):
    pipeline = pipeline_services.pipeline_create(actor=admin, template="seven_stage")
    org = contact_services.organization_create(actor=owner, data={"name": f"{MARKER} Org"})
    person = contact_services.person_create(
        actor=owner, data={"last_name": f"{MARKER} Person", "organization_id": org.pk}
    )
    lead = lead_services.lead_create(actor=owner, data={"company_name": f"{MARKER} Lead"})
    deal = pipeline_services.deal_create(
        actor=owner,
        data={"title": f"{MARKER} Deal", "pipeline_id": pipeline.pk, "organization_id": org.pk},
    )
    activity = activity_services.activity_create(
        actor=owner, data={"kind": "task", "subject": f"{MARKER} Task", "deal_id": deal.pk}
    )
    view = SavedView.objects.create(user=owner, list_name="deals", name=f"{MARKER} View")
    stage = pipeline.stages.active().order_by("order")[1]
    return {
        "pipeline": pipeline,
        "stage": stage,
        "deal": deal,
        "org": org,
        "person": person,
        "lead": lead,
        "activity": activity,
        "view": view,
    }


def fill(namespace: str, name: str, pattern: str, w: dict) -> list[str]:
    """Concrete addresses for a route: its parameters taken from the rep's records."""
    pk_for = {
        "contacts": {"person": w["person"].pk, "organization": w["org"].pk},
        "leads": {"lead": w["lead"].pk},
        "activities": {"": w["activity"].pk},
    }
    values = {
        "pipeline_id": w["pipeline"].pk,
        "stage_id": w["stage"].pk,
        "deal_id": w["deal"].pk,
        "view_id": w["view"].pk,
        "step_id": 1,
        "field": "title",
        "name": "last_name" if "person" in name else "name",
        "action": "note",
        "table": "funnel",
        "fmt": "csv",
        "version": "0",
        "slug": "no-such-form",
        # Sales operations: another team's rep, deal and records.
        "rep_id": w["deal"].owner_id,
        "quota_id": 999_999,
        "statement_id": 999_999,
        "plan_id": 999_999,
        "token": "no-such-booking",
    }
    if namespace == "contacts":
        values["pk"] = pk_for["contacts"]["person" if "person" in name else "organization"]
    elif namespace == "leads":
        values["pk"] = w["lead"].pk
        values["name"] = "company_name"
    elif namespace == "activities":
        values["pk"] = w["activity"].pk
    else:
        values["pk"] = 999_999  # automation objects: none of them is the rep's
    kinds = {
        "deal": w["deal"].pk,
        "lead": w["lead"].pk,
        "person": w["person"].pk,
        "organization": w["org"].pk,
    }
    path = re.sub(r"^\^|\$$", "", pattern)

    def one(kind: str | None) -> str:
        def value(match: re.Match) -> str:
            key = match.group(1)
            if key == "kind":
                return kind or "deal"
            if key == "pk" and namespace in ("activities", "web") and kind:
                return str(kinds[kind])
            return str(values[key])

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, path)

    if "<slug:kind>" in pattern:
        return [one(kind) for kind in kinds]
    return [one(None)]


def snapshot(w: dict) -> dict:
    def row(model, pk, fields):
        return tuple(model._base_manager.filter(pk=pk).values_list(*fields).get())

    return {
        "deal": row(
            Deal,
            w["deal"].pk,
            ["version", "title", "stage_id", "status", "owner_id", "amount", "deleted_at"],
        ),
        "org": row(Organization, w["org"].pk, ["version", "name", "owner_id", "deleted_at"]),
        "person": row(Person, w["person"].pk, ["version", "last_name", "owner_id", "deleted_at"]),
        "lead": row(
            Lead, w["lead"].pk, ["version", "company_name", "status", "owner_id", "deleted_at"]
        ),
        "activity": row(
            Activity, w["activity"].pk, ["version", "subject", "done_at", "owner_id", "deleted_at"]
        ),
        "view": tuple(SavedView.objects.filter(pk=w["view"].pk).values_list("name")),
        "tags": tuple(Tagging.objects.values_list("entity_type", "entity_id", "tag__name")),
    }


def hostile_post_data(w: dict) -> dict:
    """What a form on these routes could carry: ids of the rep's records and new values."""
    return {
        "ids": [w["deal"].pk, w["lead"].pk, w["person"].pk, w["org"].pk, w["activity"].pk],
        "action": "assign_owner",
        "owner": "1",
        "owner_id": "1",
        "stage_id": str(w["stage"].pk),
        "version": "1",
        "value": "Changed",
        "title": "Changed",
        "name": "Changed",
        "last_name": "Changed",
        "company_name": "Changed",
        "subject": "Changed",
        "lost_reason": "Changed",
        "tag": "Changed",
        "status": "disqualified",
    }


def test_anonymous_is_sent_to_log_in_everywhere(world):
    client = Client()
    for namespace, name, pattern in routes():
        for url in fill(namespace, name, pattern, world):
            response = client.get(url)
            assert response.status_code < 500, url
            assert MARKER not in response.content.decode(errors="ignore"), url
            public = name in PUBLIC or namespace == "booking"  # the public booking pages
            if not public and name != "home":
                assert response.status_code in (302, 401, 403, 404, 405), (
                    url,
                    response.status_code,
                )
                if response.status_code == 302:
                    assert "/login/" in response["Location"], url


@pytest.mark.parametrize("actor_name", ["outsider", "other_manager"])
def test_other_teams_see_nothing_and_change_nothing(world, personas, actor_name):
    client = Client()
    client.force_login(personas[actor_name])
    before = snapshot(world)
    for namespace, name, pattern in routes():
        if name in ("logout",):
            continue
        for url in fill(namespace, name, pattern, world):
            for suffix in ["", "?q=" + MARKER[:5], *EXPORTS]:  # the page echoes q
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.get(url + suffix, headers=headers)
                    assert response.status_code < 500, (url + suffix, response.status_code)
                    body = (
                        b"".join(response.streaming_content)
                        if response.streaming
                        else response.content
                    )
                    assert MARKER.encode() not in body, (actor_name, url + suffix, headers)
            response = client.post(url, hostile_post_data(world), headers={"HX-Request": "true"})
            assert response.status_code < 500, ("POST", url, response.status_code)
            assert snapshot(world) == before, ("POST", url)


def test_the_owner_does_see_the_marker(world, owner):
    """The matrix means something: the same pages show the records to their owner."""
    client = Client()
    client.force_login(owner)
    seen = 0
    for namespace, name, pattern in routes():
        if name not in {
            "deal-detail",
            "person-detail",
            "organization-detail",
            "lead-detail",
            "deal-list",
            "person-list",
            "lead-list",
            "my-day",
            "search",
        }:
            continue
        for url in fill(namespace, name, pattern, world):
            response = client.get(url + ("?q=" + MARKER[:5] if name == "search" else ""))
            seen += MARKER in response.content.decode()
    assert seen >= 8
