import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.activities import services
from lejek.activities.models import Activity
from lejek.activities.tests.conftest import local
from lejek.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# Who sees the owner's records: the owner, the team's manager and admins.
SEES = {
    "owner": 200,
    "teammate": 404,
    "manager": 200,
    "outsider": 404,
    "other_manager": 404,
    "admin": 200,
}


def create(actor, **data):
    return services.activity_create(actor=actor, data=data)


def test_create_happy_path(api_as, owner, deal):
    response = api_as(owner).post(
        "activities",
        {
            "kind": "call",
            "subject": "Discovery",
            "deal_id": deal.pk,
            "due_at": "2030-01-15T09:00:00+01:00",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["direction"], body["is_done"]) == ("call", "outbound", False)
    assert body["deal"] == {"id": deal.pk, "title": deal.title}
    assert body["owner"]["id"] == owner.pk and body["created_by"]["id"] == owner.pk
    assert AuditEntry.objects.filter(entity_type="activity", entity_id=body["id"]).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "lunch", "deal_id": 1}, "kind"),
        ({"kind": "call", "deal_id": 2**70}, "deal_id"),
        ({"kind": "call", "deal_id": 0}, "deal_id"),
        ({"kind": "call", "deal_id": 1, "due_at": "10000-01-01T00:00:00Z"}, "due_at"),
        ({"kind": "call", "deal_id": 1, "due_at": "0001-01-01T00:00:00+05:00"}, "due_at"),
        ({"kind": "call", "deal_id": 1, "direction": "sideways"}, "direction"),
        ({"kind": "call", "deal_id": 1, "subject": "x" * 201}, "subject"),
        ({"kind": "call", "deal_id": 1, "duration_minutes": -5}, "duration_minutes"),
        ({"kind": "note", "deal_id": 1, "due_at": "2030-01-01T00:00:00Z"}, "due_at"),
        ({"kind": "call"}, "__all__"),
        ({"kind": "call", "deal_id": 999_999}, "deal_id"),
    ],
)
def test_bad_input_is_422_per_field(api_as, owner, deal, payload, field):
    if payload.get("deal_id") == 1:  # stands for "a deal the user can see"
        payload = {**payload, "deal_id": deal.pk}
    response = api_as(owner).post("activities", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_unauthenticated_is_401(api_as, deal):
    client = api_as(None)
    assert client.get("activities").status_code == 401
    assert client.post("activities", {"kind": "task"}).status_code == 401
    assert client.get(f"deals/{deal.pk}/timeline").status_code == 401


@pytest.mark.parametrize(("persona", "status"), SEES.items())
def test_who_sees_and_edits_an_activity(api_as, personas, deal, persona, status):
    activity = create(personas["owner"], kind="call", subject="Mine", deal_id=deal.pk)
    client = api_as(personas[persona])
    assert client.get(f"activities/{activity.pk}").status_code == status
    patched = client.patch(f"activities/{activity.pk}", {"version": 1, "outcome": "Reached"})
    assert patched.status_code == status
    listed = client.get("activities").json()["items"]
    assert ([a["id"] for a in listed] == [activity.pk]) == (status == 200)


@pytest.mark.parametrize(("persona", "status"), SEES.items())
def test_who_sees_a_timeline(
    api_as, personas, make_deal, make_lead, make_person, make_org, persona, status
):
    owner = personas["owner"]
    client = api_as(personas[persona])
    for path, record in (
        ("deals", make_deal(owner)),
        ("leads", make_lead(owner)),
        ("people", make_person(owner)),
        ("organizations", make_org(owner)),
    ):
        response = client.get(f"{path}/{record.pk}/timeline")
        assert response.status_code == status, path
    assert client.get("deals/987654/timeline").status_code == 404
    assert client.get(f"deals/{10**25}/timeline").status_code == 404
    assert client.get(f"activities/{10**25}").status_code == 404


def test_roles_limit_who_may_own_it(api_as, owner, teammate, manager, deal):
    assert (
        api_as(owner).post("activities", {"kind": "task", "owner_id": teammate.pk}).status_code
        == 403
    )
    assert (
        api_as(manager).post("activities", {"kind": "task", "owner_id": teammate.pk}).status_code
        == 201
    )
    mine = create(owner, kind="task")
    response = api_as(owner).patch(f"activities/{mine.pk}", {"version": 1, "owner_id": teammate.pk})
    assert response.status_code == 403
    assert Activity.objects.get(pk=mine.pk).owner == owner


def test_patch_conflict_is_409_with_current_version(api_as, owner, deal):
    activity = create(owner, kind="call", deal_id=deal.pk)
    client = api_as(owner)
    assert (
        client.patch(f"activities/{activity.pk}", {"version": 1, "subject": "A"}).json()["version"]
        == 2
    )
    stale = client.patch(f"activities/{activity.pk}", {"version": 1, "subject": "B"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_complete_with_next_then_reopen(api_as, owner, deal):
    activity = create(owner, kind="call", subject="Call", deal_id=deal.pk)
    client = api_as(owner)
    response = client.post(
        f"activities/{activity.pk}/complete",
        {
            "version": 1,
            "outcome": "Wants a demo",
            "duration_minutes": 20,
            "next": {"kind": "meeting", "subject": "Demo", "due_at": "2030-02-01T10:00:00+01:00"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["activity"]["is_done"] is True and body["activity"]["outcome"] == "Wants a demo"
    assert body["next_activity"]["deal"]["id"] == deal.pk
    assert client.post(f"activities/{activity.pk}/complete", {"version": 2}).status_code == 409
    bad_next = client.post(
        f"activities/{body['next_activity']['id']}/complete",
        {"version": 1, "next": {"kind": "task"}},
    )
    assert bad_next.status_code == 422
    assert "next.due_at" in bad_next.json()["errors"]
    reopened = client.post(f"activities/{activity.pk}/reopen", {"version": 2})
    assert reopened.status_code == 200
    assert (reopened.json()["is_done"], reopened.json()["version"]) == (False, 3)


def test_delete_needs_version_and_hides_it(api_as, owner, deal):
    activity = create(owner, kind="call", deal_id=deal.pk)
    client = api_as(owner)
    assert client.delete(f"activities/{activity.pk}", version=5).status_code == 409
    assert client.delete(f"activities/{activity.pk}", version=1).status_code == 204
    assert client.get(f"activities/{activity.pk}").status_code == 404


def test_list_filters_and_sorts(api_as, owner, deal, lead):
    create(owner, kind="call", subject="Call Anna", deal_id=deal.pk, due_at=local(2030, 1, 2))
    create(owner, kind="email", subject="Mail Bob", lead_id=lead.pk, done_at=local(2024, 1, 1))
    create(owner, kind="task", subject="Plan", due_at=local(2030, 1, 1))
    client = api_as(owner)

    def subjects(**params):
        response = client.get("activities", **params)
        assert response.status_code == 200, response.content
        return [a["subject"] for a in response.json()["items"]]

    assert subjects(sort="due_at", done="false") == ["Plan", "Call Anna"]
    assert subjects(kind="email") == ["Mail Bob"]
    assert subjects(deal_id=deal.pk) == ["Call Anna"]
    assert subjects(lead_id=lead.pk, done="true") == ["Mail Bob"]
    assert subjects(q="anna") == ["Call Anna"]
    assert subjects(due_from="2030-01-02T00:00:00+01:00", due_to="2030-01-03T00:00:00+01:00") == [
        "Call Anna"
    ]
    assert subjects(owner_id=2**62) == []
    assert client.get("activities", sort="owner__password").status_code == 422
    assert client.get("activities", owner_id=2**64).status_code == 422


def test_list_query_count_is_constant(api_as, owner, deal, lead, make_person, make_org):
    client = api_as(owner)
    person, org = make_person(owner), make_org(owner)
    create(owner, kind="call", deal_id=deal.pk, person_id=person.pk, organization_id=org.pk)
    client.get("activities")  # the first call also records the token's last use
    with CaptureQueriesContext(connection) as small:
        assert client.get("activities").status_code == 200
    for i in range(15):
        create(
            owner,
            kind="call",
            subject=f"Call {i}",
            deal_id=deal.pk,
            person_id=person.pk,
            organization_id=org.pk,
        )
        create(owner, kind="email", subject=f"Mail {i}", lead_id=lead.pk)
    with CaptureQueriesContext(connection) as large:
        response = client.get("activities")
    assert len(response.json()["items"]) == 31
    assert len(large) == len(small)


def test_timeline_api_pages(api_as, owner, deal):
    for day in range(1, 6):
        create(
            owner, kind="call", subject=f"Day {day}", deal_id=deal.pk, done_at=local(2024, 1, day)
        )
    client = api_as(owner)
    first = client.get(f"deals/{deal.pk}/timeline", limit=3).json()
    assert [i["title"] for i in first["items"]] == ["Day 5", "Day 4", "Day 3"]
    assert first["has_next"] is True and first["items"][0]["actor"]["id"] == owner.pk
    rest = client.get(f"deals/{deal.pk}/timeline", limit=3, offset=3).json()
    assert [i["title"] for i in rest["items"]] == ["Day 2", "Day 1"]
    assert client.get(f"deals/{deal.pk}/timeline", limit=0).status_code == 422
    assert client.get(f"deals/{deal.pk}/timeline", limit=201).status_code == 422
