"""The activity panel, "my day" and the activity list as pages."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from lejek.accounts.models import User
from lejek.activities import services
from lejek.activities.models import Activity
from lejek.web.tests import pages
from lejek.web.tests.pages import CAN_SEE, HOSTILE, client_for, count_queries, text

pytestmark = pytest.mark.django_db

KINDS = ["deal", "lead", "person", "organization"]


@pytest.fixture
def records(owner: User, admin: User) -> dict[str, Any]:
    return {
        "deal": pages.deal(owner, pages.pipeline(admin), title="Big deal"),
        "lead": pages.lead(owner),
        "person": pages.person(owner, "Kowalski"),
        "organization": pages.organization(owner, "Acme"),
    }


def later(hours: int = 2) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", list(CAN_SEE))
def test_panel_per_persona(
    records: dict[str, Any], personas: dict[str, User], kind: str, persona: str
) -> None:
    record = records[kind]
    client = client_for(personas[persona])
    expected = 200 if CAN_SEE[persona] else 404
    assert client.get(f"/activities/panel/{kind}/{record.pk}/").status_code == expected
    note = client.post(f"/activities/panel/{kind}/{record.pk}/note/", {"body": "Hello"})
    assert note.status_code == expected
    assert Activity.objects.filter(body="Hello").exists() is CAN_SEE[persona]


def test_unknown_kinds_and_actions_answer_404(records: dict[str, Any], owner: User) -> None:
    client = client_for(owner)
    deal = records["deal"]
    assert client.get(f"/activities/panel/invoice/{deal.pk}/").status_code == 404
    assert client.post(f"/activities/panel/deal/{deal.pk}/dance/", {}).status_code == 404
    assert client.get(f"/activities/panel/deal/{deal.pk}/note/").status_code == 405


@pytest.mark.parametrize("kind", KINDS)
def test_quick_actions_log_a_call_add_a_note_schedule(
    records: dict[str, Any], owner: User, kind: str
) -> None:
    record = records[kind]
    client = client_for(owner)
    base = f"/activities/panel/{kind}/{record.pk}"
    call = client.post(
        f"{base}/call/", {"subject": "Intro", "direction": "outbound", "outcome": "Interested"}
    )
    assert call.status_code == 200
    assert "Intro" in text(call) and "Interested" in text(call)
    assert client.post(f"{base}/note/", {"body": "Likes <b>blue</b>"}).status_code == 200
    due = timezone.localtime(later(24)).strftime("%Y-%m-%dT%H:%M")
    scheduled = client.post(
        f"{base}/schedule/", {"kind": "meeting", "subject": "Demo", "due_at": due}
    )
    assert scheduled.status_code == 200
    body = text(scheduled)
    assert "Likes &lt;b&gt;blue&lt;/b&gt;" in body
    assert 'id="open-activities"' in body and "Demo" in body
    link = f"{kind}_id"
    made = Activity.objects.filter(**{link: record.pk}).order_by("id")
    assert [(a.kind, a.done_at is not None) for a in made] == [
        ("call", True),
        ("note", False),
        ("meeting", False),
    ]
    assert made[0].direction == "outbound"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("note", {"body": ""}),
        ("schedule", {"kind": "meeting", "due_at": ""}),
        ("schedule", {"kind": "note", "due_at": "2030-01-01T10:00"}),
        ("schedule", {"kind": "call", "due_at": "9999-01-01T10:00"}),
        ("call", {"direction": "sideways"}),
    ],
)
def test_bad_quick_actions_answer_422(
    records: dict[str, Any], owner: User, action: str, data: dict[str, str]
) -> None:
    deal = records["deal"]
    response = client_for(owner).post(f"/activities/panel/deal/{deal.pk}/{action}/", data)
    assert response.status_code == 422
    assert "alert-danger" in text(response)
    assert not Activity.objects.exists()


def test_complete_from_the_panel_and_schedule_the_next(
    records: dict[str, Any], owner: User
) -> None:
    deal = records["deal"]
    task = services.activity_create(
        actor=owner,
        data={"kind": "call", "subject": "Call back", "due_at": later(), "deal_id": deal.pk},
    )
    client = client_for(owner)
    form = client.get(
        f"/activities/{task.pk}/complete/", {"panel_kind": "deal", "panel_id": deal.pk}
    )
    assert form.status_code == 200
    assert 'name="next_due_at"' in text(form) and 'hx-target="#record-panel"' in text(form)
    due = timezone.localtime(later(48)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/activities/{task.pk}/complete/",
        {
            "version": "1",
            "outcome": "Agreed on a demo",
            "schedule_next": "on",
            "next_kind": "meeting",
            "next_subject": "Demo",
            "next_due_at": due,
            "panel_kind": "deal",
            "panel_id": deal.pk,
        },
    )
    assert response.status_code == 200
    assert "Agreed on a demo" in text(response)
    task.refresh_from_db()
    assert task.done_at is not None and task.outcome == "Agreed on a demo"
    follow_up = Activity.objects.get(subject="Demo")
    assert (follow_up.kind, follow_up.deal_id, follow_up.done_at) == ("meeting", deal.pk, None)
    again = client.post(f"/activities/{task.pk}/complete/", {"version": "2"})
    assert again.status_code == 409


def test_completing_needs_a_due_time_for_the_next_one(records: dict[str, Any], owner: User) -> None:
    task = services.activity_create(
        actor=owner, data={"kind": "task", "subject": "T", "due_at": later()}
    )
    client = client_for(owner)
    data = {"version": "1", "schedule_next": "on", "next_kind": "call", "next_due_at": ""}
    assert client.post(f"/activities/{task.pk}/complete/", data).status_code == 422
    task.refresh_from_db()
    assert task.done_at is None
    done = client.post(f"/activities/{task.pk}/complete/", {"version": "1"})
    assert done.status_code == 200
    assert "Done." in text(done)


def test_others_cannot_complete_my_activity(owner: User, outsider: User) -> None:
    task = services.activity_create(actor=owner, data={"kind": "task", "due_at": later()})
    response = client_for(outsider).post(f"/activities/{task.pk}/complete/", {"version": "1"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_timeline_loads_more(records: dict[str, Any], owner: User) -> None:
    deal = records["deal"]
    for index in range(45):
        services.activity_create(
            actor=owner, data={"kind": "note", "body": f"note {index:02d}", "deal_id": deal.pk}
        )
    client = client_for(owner)
    panel = text(client.get(f"/activities/panel/deal/{deal.pk}/"))
    assert "note 44" in panel and "note 24" not in panel
    assert f"/activities/panel/deal/{deal.pk}/timeline/?offset=20" in panel
    more = text(client.get(f"/activities/panel/deal/{deal.pk}/timeline/", {"offset": "20"}))
    assert "note 24" in more and "note 05" in more and "note 04" not in more
    assert "offset=40" in more
    last = text(client.get(f"/activities/panel/deal/{deal.pk}/timeline/", {"offset": "40"}))
    assert "note 00" in last and "Entered stage" in last and "Load more" not in last


def test_timeline_reads_well(
    records: dict[str, Any], owner: User, manager: User, teammate: User
) -> None:
    person = records["person"]
    client = client_for(manager)
    client.post(
        f"/contacts/people/{person.pk}/fields/owner/", {"owner": teammate.pk, "version": "1"}
    )
    body = text(client_for(manager).get(f"/activities/panel/person/{person.pk}/"))
    assert "Changed Owner" in body
    assert "Owner → Teammate" in body


def test_my_day_lists_overdue_and_today(owner: User, outsider: User) -> None:
    now = timezone.now()
    services.activity_create(
        actor=owner,
        data={"kind": "task", "subject": "Late", "due_at": now - datetime.timedelta(days=2)},
    )
    services.activity_create(actor=owner, data={"kind": "task", "subject": "Now", "due_at": now})
    services.activity_create(
        actor=owner,
        data={"kind": "task", "subject": "Later", "due_at": now + datetime.timedelta(days=3)},
    )
    services.activity_create(
        actor=outsider, data={"kind": "task", "subject": "Theirs", "due_at": now}
    )
    response = client_for(owner).get("/activities/my-day/")
    assert response.status_code == 200
    day = response.context["day"]
    assert [a.subject for a in day["overdue"]] == ["Late"]
    assert [a.subject for a in day["due_today"]] == ["Now"]
    body = text(response)
    assert "Later" not in body and "Theirs" not in body


def test_complete_from_my_day_offers_the_next(records: dict[str, Any], owner: User) -> None:
    person = records["person"]
    task = services.activity_create(
        actor=owner,
        data={"kind": "call", "subject": "Ring", "due_at": timezone.now(), "person_id": person.pk},
    )
    client = client_for(owner)
    form = text(client.get(f"/activities/{task.pk}/complete/"))
    assert 'hx-target="#activity-' in form and "Schedule the next one" in form
    due = timezone.localtime(later(24)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/activities/{task.pk}/complete/",
        {"version": "1", "schedule_next": "on", "next_kind": "call", "next_due_at": due},
    )
    assert response.status_code == 200
    assert "Next one scheduled:" in text(response)
    follow_up = Activity.objects.get(done_at__isnull=True, kind="call")
    assert follow_up.person_id == person.pk  # the next one keeps the record it was about


def test_add_a_task_from_my_day(owner: User) -> None:
    client = client_for(owner)
    due = timezone.localtime(later()).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/activities/tasks/", {"subject": "Prepare offer", "due_at": due})
    assert response.status_code == 303
    task = Activity.objects.get()
    assert (task.kind, task.owner_id, task.subject) == ("task", owner.pk, "Prepare offer")
    assert client.post("/activities/tasks/", {"subject": "", "due_at": due}).status_code == 422


def test_my_day_in_russian(owner: User) -> None:
    client = client_for(owner)
    client.post("/account/language/", {"language": "ru", "next": "/"})
    body = text(client.get("/activities/my-day/"))
    assert "Просрочено" in body and "На сегодня" in body and "Добавить задачу" in body


def test_activity_list_filters_and_escapes(owner: User) -> None:
    services.activity_create(
        actor=owner, data={"kind": "task", "subject": HOSTILE, "due_at": later()}
    )
    services.activity_create(
        actor=owner, data={"kind": "task", "subject": "Done one", "done_at": timezone.now()}
    )
    client = client_for(owner)
    response = client.get("/activities/", {"state": "open"})
    assert [a.subject for a in response.context["rows"]] == [HOSTILE]
    assert HOSTILE not in text(response)
    rows = client.get("/activities/", {"state": "done"}).context["rows"]
    assert [a.subject for a in rows] == ["Done one"]
    bad = client.get("/activities/", {"due_from": "2030-01-02", "due_to": "2030-01-01"})
    assert bad.status_code == 422


def test_activity_list_query_count_is_constant(records: dict[str, Any], owner: User) -> None:
    def add(index: int) -> None:
        for kind in KINDS:
            services.activity_create(
                actor=owner,
                data={"kind": "note", "body": str(index), f"{kind}_id": records[kind].pk},
            )

    add(0)
    client = client_for(owner)
    before = count_queries(client, "/activities/")
    for index in range(1, 4):
        add(index)
    assert count_queries(client, "/activities/") == before


def test_my_day_and_panel_query_counts_are_constant(records: dict[str, Any], owner: User) -> None:
    deal = records["deal"]
    client = client_for(owner)

    def add() -> None:
        services.activity_create(
            actor=owner, data={"kind": "call", "due_at": timezone.now(), "deal_id": deal.pk}
        )
        services.activity_create(
            actor=owner, data={"kind": "note", "body": "n", "deal_id": deal.pk}
        )

    add()
    day = count_queries(client, "/activities/my-day/")
    panel = count_queries(client, f"/activities/panel/deal/{deal.pk}/")
    for _ in range(5):
        add()
    assert count_queries(client, "/activities/my-day/") == day
    assert count_queries(client, f"/activities/panel/deal/{deal.pk}/") == panel
