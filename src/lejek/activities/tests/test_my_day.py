import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from lejek.activities import selectors, services
from lejek.activities.tests.conftest import local

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 1, 15)


def create(actor, **data):
    return services.activity_create(actor=actor, data=data)


def subjects(activities):
    return [a.subject for a in activities]


@pytest.fixture
def day(owner, teammate, manager, deal):
    """The owner's activities around 15 January 2030, plus others that must not show."""
    task = {"kind": "task", "deal_id": deal.pk}
    create(owner, subject="Late evening", due_at=local(2030, 1, 15, 23, 30), **task)
    create(owner, subject="Just after midnight", due_at=local(2030, 1, 15, 0, 0), **task)
    create(owner, subject="Last week", due_at=local(2030, 1, 8, 9), **task)
    create(owner, subject="Yesterday", due_at=local(2030, 1, 14, 23, 59), **task)
    create(owner, subject="Tomorrow", due_at=local(2030, 1, 16, 0, 0), **task)
    create(
        owner, subject="Done already", due_at=local(2030, 1, 15, 10), done_at=timezone.now(), **task
    )
    create(owner, subject="No due time", **task)
    create(owner, kind="note", subject="A note", deal_id=deal.pk)
    gone = create(owner, subject="Deleted", due_at=local(2030, 1, 15, 11), **task)
    services.activity_delete(actor=owner, activity=gone, version=1)
    create(
        manager,
        subject="Manager's own",
        due_at=local(2030, 1, 15, 12),
        deal_id=deal.pk,
        kind="call",
    )
    create(teammate, subject="Teammate's", kind="task", due_at=local(2030, 1, 15, 12))


def test_my_day_lists_overdue_and_due_today_in_local_time(owner, day):
    result = selectors.my_day(user=owner, today=TODAY)
    assert subjects(result["overdue"]) == ["Last week", "Yesterday"]
    assert subjects(result["due_today"]) == ["Just after midnight", "Late evening"]
    assert result["overdue_truncated"] is False and result["due_today_truncated"] is False


def test_my_day_is_only_my_own(manager, admin, day):
    assert subjects(selectors.my_day(user=manager, today=TODAY)["due_today"]) == ["Manager's own"]
    result = selectors.my_day(user=admin, today=TODAY)
    assert result["overdue"] == [] and result["due_today"] == []


def test_a_completed_overdue_task_leaves_the_list(owner, deal):
    late = create(owner, kind="task", subject="Late", deal_id=deal.pk, due_at=local(2030, 1, 1))
    assert subjects(selectors.my_day(user=owner, today=TODAY)["overdue"]) == ["Late"]
    services.activity_complete(actor=owner, activity=late, version=1)
    assert selectors.my_day(user=owner, today=TODAY)["overdue"] == []


@override_settings(TIME_ZONE="Europe/Warsaw")
def test_day_bounds_follow_daylight_saving():
    def hours(day):
        start, end = selectors.day_bounds(day)
        utc = datetime.UTC
        return (end.astimezone(utc) - start.astimezone(utc)).total_seconds() / 3600

    assert hours(datetime.date(2030, 3, 31)) == 23
    assert hours(datetime.date(2030, 10, 27)) == 25
    assert hours(datetime.date(2030, 1, 15)) == 24
    start, _ = selectors.day_bounds(datetime.date(2030, 1, 15))
    assert start == datetime.datetime(2030, 1, 14, 23, 0, tzinfo=datetime.UTC)


def test_my_day_api(api_as, owner, day):
    response = api_as(owner).get("activities/my-day", date="2030-01-15")
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2030-01-15"
    assert [a["subject"] for a in body["overdue"]] == ["Last week", "Yesterday"]
    assert [a["subject"] for a in body["due_today"]] == ["Just after midnight", "Late evening"]


def test_my_day_api_defaults_to_today_and_refuses_odd_dates(api_as, owner, deal):
    create(
        owner,
        kind="task",
        subject="Now",
        deal_id=deal.pk,
        due_at=timezone.localtime().replace(hour=12, minute=0),
    )
    client = api_as(owner)
    body = client.get("activities/my-day").json()
    assert body["date"] == timezone.localdate().isoformat()
    assert [a["subject"] for a in body["due_today"]] == ["Now"]
    for bad in ("9999-12-31", "tomorrow", "2030-02-30"):
        response = client.get("activities/my-day", date=bad)
        assert response.status_code == 422, bad
        assert "date" in response.json()["errors"]
