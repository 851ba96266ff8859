"""Who may read and write a lead owned by `owner` (a rep in team A).

Reps see their own leads, managers their team's, admins all; a lead you cannot
see answers 404 (never a hint that it exists); assigning outside your reach is 403.
"""

import pytest

from lejek.core.models import AuditEntry
from lejek.leads import services
from lejek.leads.models import Lead
from lejek.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

CAN_SEE = {
    "owner": True,
    "teammate": False,
    "manager": True,
    "outsider": False,
    "other_manager": False,
    "admin": True,
}
PERSONAS = sorted(CAN_SEE)


@pytest.fixture
def lead(owner) -> Lead:
    return make_lead(owner, title="Owner's lead")


@pytest.mark.parametrize("persona", PERSONAS)
def test_read(api_as, personas, lead, persona):
    client = api_as(personas[persona])
    response = client.get(f"leads/{lead.pk}")
    assert response.status_code == (200 if CAN_SEE[persona] else 404)
    listed = [item["id"] for item in client.get("leads").json()["items"]]
    assert (lead.pk in listed) is CAN_SEE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_patch(api_as, personas, lead, persona):
    response = api_as(personas[persona]).patch(f"leads/{lead.pk}", {"version": 1, "phone": "1"})
    assert response.status_code == (200 if CAN_SEE[persona] else 404)
    assert (Lead.objects.get(pk=lead.pk).phone == "1") is CAN_SEE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_status(api_as, personas, lead, persona):
    response = api_as(personas[persona]).post(
        f"leads/{lead.pk}/status", {"version": 1, "status": "working"}
    )
    assert response.status_code == (200 if CAN_SEE[persona] else 404)
    assert (Lead.objects.get(pk=lead.pk).status == "working") is CAN_SEE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_delete(api_as, personas, lead, persona):
    response = api_as(personas[persona]).delete(f"leads/{lead.pk}", version=1)
    assert response.status_code == (204 if CAN_SEE[persona] else 404)
    assert (Lead.objects.get(pk=lead.pk).deleted_at is not None) is CAN_SEE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_restore(api_as, personas, lead, persona):
    services.lead_delete(actor=personas["owner"], lead=lead, version=1)
    response = api_as(personas[persona]).post(f"leads/{lead.pk}/restore")
    assert response.status_code == (200 if CAN_SEE[persona] else 404)
    assert (Lead.objects.get(pk=lead.pk).deleted_at is None) is CAN_SEE[persona]
    restored = AuditEntry.objects.filter(entity_id=lead.pk, action="restored").exists()
    assert restored is CAN_SEE[persona]


def test_invisible_errors_look_like_missing_leads(api_as, outsider, lead):
    seen = api_as(outsider).get(f"leads/{lead.pk}").json()
    missing = api_as(outsider).get("leads/999999").json()
    assert seen["code"] == missing["code"] == "not_found"
    assert seen["detail"] == f"Lead {lead.pk} was not found."


@pytest.mark.parametrize(
    ("actor", "new_owner", "expected"),
    [
        ("owner", "owner", 200),
        ("owner", "teammate", 403),
        ("manager", "teammate", 200),
        ("manager", "outsider", 403),
        ("admin", "outsider", 200),
    ],
)
def test_reassign(api_as, personas, lead, actor, new_owner, expected):
    response = api_as(personas[actor]).patch(
        f"leads/{lead.pk}", {"version": 1, "owner_id": personas[new_owner].pk}
    )
    assert response.status_code == expected
    current = Lead.objects.get(pk=lead.pk).owner_id
    assert current == (personas[new_owner].pk if expected == 200 else personas["owner"].pk)


@pytest.mark.parametrize(
    ("actor", "new_owner", "expected"),
    [
        ("owner", "teammate", 403),
        ("teammate", "owner", 403),
        ("manager", "owner", 201),
        ("other_manager", "owner", 403),
        ("admin", "owner", 201),
    ],
)
def test_create_for_someone_else(api_as, personas, actor, new_owner, expected):
    response = api_as(personas[actor]).post(
        "leads", {"last_name": "Nowak", "owner_id": personas[new_owner].pk}
    )
    assert response.status_code == expected
    assert Lead.objects.filter(owner=personas[new_owner]).exists() is (expected == 201)


def test_a_reassigned_lead_leaves_the_old_owners_view(api_as, owner, teammate, manager, lead):
    assert (
        api_as(manager)
        .patch(f"leads/{lead.pk}", {"version": 1, "owner_id": teammate.pk})
        .status_code
        == 200
    )
    assert api_as(owner).get(f"leads/{lead.pk}").status_code == 404
    assert api_as(teammate).get(f"leads/{lead.pk}").status_code == 200
