"""Who may read, change, list and create each kind of record, through the API.

Rules (SPEC C11): a rep sees and edits their own records, a manager their team's,
an admin everything. Records you may not see answer 404, never 403, so their
existence does not leak; denied writes leave the row untouched.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db

CAN_SEE = {
    "owner": True,
    "teammate": False,
    "manager": True,
    "outsider": False,
    "other_manager": False,
    "admin": True,
}


@dataclass
class Kind:
    path: str
    model: type
    make: Callable[[Any, dict[str, Any]], Any]
    patch: dict[str, Any]
    create: Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def pipeline(admin):
    return pipeline_services.pipeline_create(actor=admin, template="seven_stage")


@pytest.fixture
def kinds(pipeline) -> dict[str, Kind]:
    return {
        "organization": Kind(
            "organizations",
            Organization,
            lambda user, extra: contact_services.organization_create(
                actor=user, data={"name": "Acme", **extra}
            ),
            {"name": "Changed"},
            lambda extra: {"name": "New", **extra},
        ),
        "person": Kind(
            "people",
            Person,
            lambda user, extra: contact_services.person_create(
                actor=user, data={"last_name": "Nowak", **extra}
            ),
            {"last_name": "Changed"},
            lambda extra: {"last_name": "New", **extra},
        ),
        "lead": Kind(
            "leads",
            Lead,
            lambda user, extra: lead_services.lead_create(
                actor=user, data={"company_name": "Acme", **extra}
            ),
            {"company_name": "Changed"},
            lambda extra: {"company_name": "New", **extra},
        ),
        "activity": Kind(
            "activities",
            Activity,
            lambda user, extra: activity_services.activity_create(
                actor=user, data={"kind": "task", "subject": "Call back", **extra}
            ),
            {"subject": "Changed"},
            lambda extra: {"kind": "task", "subject": "New", **extra},
        ),
        "deal": Kind(
            "deals",
            Deal,
            lambda user, extra: pipeline_services.deal_create(
                actor=user, data={"title": "Deal", "pipeline_id": pipeline.pk, **extra}
            ),
            {"title": "Changed"},
            lambda extra: {"title": "New", "pipeline_id": pipeline.pk, **extra},
        ),
    }


KINDS = ["organization", "person", "lead", "activity", "deal"]
ACTORS = list(CAN_SEE)


@pytest.mark.parametrize("kind_name", KINDS)
@pytest.mark.parametrize("actor_name", ACTORS)
def test_read_write_delete(api_as, personas, kinds, kind_name, actor_name):
    kind = kinds[kind_name]
    record = kind.make(personas["owner"], {})
    client = api_as(personas[actor_name])
    url = f"{kind.path}/{record.pk}"
    visible = CAN_SEE[actor_name]

    assert client.get(url).status_code == (200 if visible else 404)
    listed = {item["id"] for item in client.get(kind.path, page_size=200).json()["items"]}
    assert (record.pk in listed) is visible

    response = client.patch(url, {"version": 1, **kind.patch})
    assert response.status_code == (200 if visible else 404)
    row = kind.model.objects.get(pk=record.pk)
    assert row.version == (2 if visible else 1)

    response = client.delete(url, version=row.version)
    assert response.status_code == (204 if visible else 404)
    assert (kind.model.objects.get(pk=record.pk).deleted_at is not None) is visible


@pytest.mark.parametrize("kind_name", KINDS)
def test_anonymous_gets_401_everywhere(api_as, owner, kinds, kind_name):
    kind = kinds[kind_name]
    record = kind.make(owner, {})
    client = api_as(None)
    url = f"{kind.path}/{record.pk}"
    assert client.get(kind.path).status_code == 401
    assert client.get(url).status_code == 401
    assert client.patch(url, {"version": 1, **kind.patch}).status_code == 401
    assert client.delete(url, version=1).status_code == 401
    assert client.post(kind.path, kind.create({})).status_code == 401
    assert kind.model.objects.get(pk=record.pk).version == 1


@pytest.mark.parametrize("kind_name", KINDS)
@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("owner", 403),
        ("teammate", 403),
        ("manager", 201),
        ("outsider", 403),
        ("other_manager", 403),
        ("admin", 201),
    ],
)
def test_create_for_the_owner(api_as, personas, kinds, kind_name, actor_name, expected):
    """Creating a record owned by `owner`: only self, the team's manager, or an admin."""
    kind = kinds[kind_name]
    owner = personas["owner"]
    client = api_as(personas[actor_name])
    payload = kind.create({"owner_id": owner.pk})
    if actor_name == "owner":
        payload = kind.create({"owner_id": personas["teammate"].pk})
    response = client.post(kind.path, payload)
    assert response.status_code == expected, response.content
    if expected == 403:
        assert kind.model.objects.count() == 0


@pytest.mark.parametrize("kind_name", KINDS)
def test_reassigning_away_is_limited(api_as, personas, kinds, kind_name):
    kind = kinds[kind_name]
    record = kind.make(personas["owner"], {})
    url = f"{kind.path}/{record.pk}"
    denied = api_as(personas["owner"]).patch(
        url, {"version": 1, "owner_id": personas["outsider"].pk}
    )
    assert denied.status_code == 403
    assert kind.model.objects.get(pk=record.pk).owner_id == personas["owner"].pk
    moved = api_as(personas["manager"]).patch(
        url, {"version": 1, "owner_id": personas["teammate"].pk}
    )
    assert moved.status_code == 200
    assert kind.model.objects.get(pk=record.pk).owner_id == personas["teammate"].pk


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    [
        ("owner", 200),
        ("teammate", 404),
        ("manager", 200),
        ("outsider", 404),
        ("other_manager", 404),
        ("admin", 200),
    ],
)
def test_deal_moves_and_history_follow_visibility(api_as, personas, pipeline, actor_name, expected):
    deal = pipeline_services.deal_create(
        actor=personas["owner"], data={"title": "D", "pipeline_id": pipeline.pk}
    )
    next_stage = pipeline.stages.active().order_by("order")[1]
    client = api_as(personas[actor_name])
    assert client.get(f"deals/{deal.pk}/history").status_code == expected
    moved = client.post(f"deals/{deal.pk}/move", {"stage_id": next_stage.pk, "version": 1})
    assert moved.status_code == expected
    assert (
        client.post(f"deals/{deal.pk}/win", {"version": 2 if expected == 200 else 1}).status_code
        == expected
    )
    assert Deal.objects.get(pk=deal.pk).status == ("won" if expected == 200 else "open")


def test_board_counts_only_visible_deals(api_as, personas, pipeline):
    for name in ("owner", "teammate", "outsider"):
        pipeline_services.deal_create(
            actor=personas[name], data={"title": name, "pipeline_id": pipeline.pk, "amount": "10"}
        )
    counts = {}
    for name in ("owner", "manager", "outsider", "admin"):
        columns = api_as(personas[name]).get(f"pipelines/{pipeline.pk}/board").json()
        counts[name] = sum(c["count"] for c in columns)
    assert counts == {"owner": 1, "manager": 2, "outsider": 1, "admin": 3}


@pytest.mark.parametrize("actor_name", ["owner", "manager"])
def test_pipeline_design_is_admin_only(api_as, personas, pipeline, actor_name):
    client = api_as(personas[actor_name])
    stage = pipeline.stages.active().first()
    assert client.post("pipelines", {"template": "sales_cycle"}).status_code == 403
    assert client.patch(f"pipelines/{pipeline.pk}", {"name": "X"}).status_code == 403
    assert client.post(f"pipelines/{pipeline.pk}/stages", {"name": "X"}).status_code == 403
    assert (
        client.patch(f"pipelines/{pipeline.pk}/stages/{stage.pk}", {"name": "X"}).status_code == 403
    )
    pipeline.refresh_from_db()
    stage.refresh_from_db()
    assert pipeline.name == "Seven-stage" and stage.name == "Prospecting"


@pytest.mark.parametrize("kind_name", ["organization", "person", "lead", "deal"])
@pytest.mark.parametrize("actor_name", ACTORS)
def test_timelines_follow_visibility(api_as, personas, kinds, kind_name, actor_name):
    kind = kinds[kind_name]
    record = kind.make(personas["owner"], {})
    response = api_as(personas[actor_name]).get(f"{kind.path}/{record.pk}/timeline")
    assert response.status_code == (200 if CAN_SEE[actor_name] else 404)
