import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.contacts import services
from lejek.contacts.models import Organization
from lejek.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_organization_records_audit_and_normalises(api_as, owner):
    response = api_as(owner).post(
        "organizations", {"name": "Acme", "domain": "https://www.Acme.com/about", "country": "pl"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["domain"] == "acme.com"
    assert body["country"] == "PL"
    assert body["owner"]["id"] == owner.pk
    assert (
        AuditEntry.objects.filter(
            entity_type="organization", entity_id=body["id"], action="created"
        ).count()
        == 1
    )


def test_bad_input_gets_422_per_field(api_as, owner):
    response = api_as(owner).post("organizations", {"name": "", "employees": -1, "country": "POL"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"name", "employees", "country"}


def test_patch_records_old_and_new_and_checks_version(api_as, owner):
    org = services.organization_create(actor=owner, data={"name": "Acme"})
    client = api_as(owner)
    ok = client.patch(f"organizations/{org.pk}", {"version": 1, "name": "Acme Sp. z o.o."})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    entry = AuditEntry.objects.get(entity_type="organization", entity_id=org.pk, field="name")
    assert (entry.old_value, entry.new_value, entry.actor_id) == (
        "Acme",
        "Acme Sp. z o.o.",
        owner.pk,
    )
    stale = client.patch(f"organizations/{org.pk}", {"version": 1, "name": "Other"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Organization.objects.get(pk=org.pk).name == "Acme Sp. z o.o."


def test_null_for_required_field_is_422_not_500(api_as, owner):
    org = services.organization_create(actor=owner, data={"name": "Acme"})
    response = api_as(owner).patch(f"organizations/{org.pk}", {"version": 1, "name": None})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_person_cannot_point_at_invisible_organization(api_as, owner, outsider):
    foreign = services.organization_create(actor=outsider, data={"name": "Theirs"})
    response = api_as(owner).post("people", {"last_name": "Nowak", "organization_id": foreign.pk})
    assert response.status_code == 422
    assert "organization_id" in response.json()["errors"]


def test_rep_cannot_assign_to_someone_else(api_as, owner, teammate, manager):
    assert (
        api_as(owner).post("organizations", {"name": "X", "owner_id": teammate.pk}).status_code
        == 403
    )
    assert (
        api_as(manager).post("organizations", {"name": "X", "owner_id": teammate.pk}).status_code
        == 201
    )


def test_list_query_count_is_constant(api_as, owner):
    client = api_as(owner)
    for i in range(3):
        services.organization_create(actor=owner, data={"name": f"Org {i}"})
    client.get("organizations")  # the first call also records the token's last use
    with CaptureQueriesContext(connection) as small:
        assert client.get("organizations").status_code == 200
    for i in range(20):
        services.organization_create(actor=owner, data={"name": f"More {i}"})
    with CaptureQueriesContext(connection) as large:
        response = client.get("organizations")
    assert len(response.json()["items"]) == 23
    assert len(large) == len(small)


def test_sort_outside_allowlist_is_422(api_as, owner):
    response = api_as(owner).get("organizations", sort="owner__password")
    assert response.status_code == 422
    assert "sort" in response.json()["errors"]


def test_delete_hides_record_and_is_audited(api_as, owner):
    org = services.organization_create(actor=owner, data={"name": "Gone"})
    client = api_as(owner)
    assert client.delete(f"organizations/{org.pk}", version=1).status_code == 204
    assert client.get(f"organizations/{org.pk}").status_code == 404
    assert AuditEntry.objects.filter(entity_id=org.pk, action="deleted").exists()
