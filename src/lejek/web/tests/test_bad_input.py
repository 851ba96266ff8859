"""Hostile and malformed input to every page answers 4xx (or a plain page), never 500."""

import pytest

from lejek.accounts.models import User
from lejek.web.tests import pages
from lejek.web.tests.pages import client_for

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
VALUES = ["x", "-1", HUGE, "\x00", "' OR 1=1 --", "😀" * 300]
FILTER_VALUES = ["x", HUGE, "\x00", "😀" * 300]
LISTS = [
    "/contacts/people/",
    "/contacts/organizations/",
    "/leads/",
    "/activities/",
    "/pipelines/deals/",
]
FILTERS = [
    "q",
    "owner",
    "status",
    "source",
    "stage",
    "pipeline",
    "kind",
    "state",
    "due_from",
    "created_to",
    "expected_close_from",
    "min_score",
    "is_customer",
    "country",
    "sort",
    "page",
    "page_size",
    "export",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_filters_never_fail(owner: User, url: str) -> None:
    client = client_for(owner)
    for name in FILTERS:
        for value in FILTER_VALUES:
            response = client.get(url, {name: value})
            assert response.status_code in {200, 422}, (name, value, response.status_code)


@pytest.mark.parametrize("url", LISTS)
def test_bulk_input_never_fails(owner: User, url: str) -> None:
    client = client_for(owner)
    for value in VALUES:
        data = {
            "action": value,
            "ids": [value, "1"],
            "query": value,
            "assign_owner-owner": value,
            "move_stage-stage": value,
            "set_status-status": value,
        }
        assert client.post(url, data).status_code == 422
        data["action"] = "assign_owner"
        assert client.post(url, data).status_code == 422


def test_record_pages_and_actions_never_fail(owner: User, admin: User) -> None:
    person = pages.person(owner)
    lead = pages.lead(owner)
    deal = pages.deal(owner, pages.pipeline(admin))
    client = client_for(owner)
    posts = [
        f"/contacts/people/{person.pk}/fields/organization/",
        f"/contacts/people/{person.pk}/fields/owner/",
        f"/leads/{lead.pk}/fields/budget/",
        f"/leads/{lead.pk}/status/",
        f"/activities/panel/deal/{deal.pk}/schedule/",
        f"/activities/panel/lead/{lead.pk}/call/",
        "/activities/tasks/",
        "/views/",
    ]
    for value in VALUES:
        data = {
            "version": value,
            "organization": value,
            "owner": value,
            "budget": value,
            "status": value,
            "disqualified_reason": value,
            "due_at": value,
            "kind": value,
            "direction": value,
            "duration_minutes": value,
            "subject": value,
            "list_name": value,
            "name": value,
            "query": value,
        }
        for url in posts:
            response = client.post(url, data)
            assert response.status_code < 500, (url, value, response.status_code)
        for url in [
            f"/activities/panel/deal/{deal.pk}/timeline/?offset={value}",
            f"/search/?q={value}",
            f"/pick/organization/?organization_q={value}",
            f"/contacts/people/new/?organization={value}",
        ]:
            assert client.get(url).status_code == 200, (url, value)


def test_completing_with_bad_input_never_fails(owner: User) -> None:
    from lejek.activities import services

    task = services.activity_create(actor=owner, data={"kind": "task", "subject": "T"})
    client = client_for(owner)
    for value in VALUES:
        data = {
            "version": value,
            "outcome": value,
            "schedule_next": "on",
            "next_kind": value,
            "next_due_at": value,
            "panel_kind": value,
            "panel_id": value,
        }
        response = client.post(f"/activities/{task.pk}/complete/", data)
        assert response.status_code in {404, 422}, (value, response.status_code)
