"""Writes to organizations and people. Each runs in a transaction and leaves audit entries."""

from typing import Any

from django.db import transaction

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person
from lejek.core import records

ORGANIZATION_FIELDS = (
    "name",
    "domain",
    "industry",
    "employees",
    "country",
    "city",
    "address",
    "phone",
    "website",
    "owner",
)
PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "job_title", "organization", "owner")


def normalise_domain(domain: str) -> str:
    value = domain.strip().lower()
    for prefix in ("https://", "http://", "www."):
        value = value.removeprefix(prefix)
    return value.split("/")[0]


def _organization_values(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in ORGANIZATION_FIELDS}
    if "owner_id" in data:
        values["owner"] = access.assignable_owner(actor=actor, owner_id=data["owner_id"])
    if "domain" in values:
        values["domain"] = normalise_domain(values["domain"] or "")
    if "country" in values:
        values["country"] = (values["country"] or "").upper()
    return values


def organization_create(*, actor: User, data: dict[str, Any]) -> Organization:
    values = _organization_values(actor, {"owner_id": None, **data})
    return records.create(actor=actor, instance=Organization(**values))


def organization_update(
    *, actor: User, organization: Organization, data: dict[str, Any], version: int
) -> Organization:
    return records.update(
        actor=actor,
        instance=organization,
        changes=_organization_values(actor, data),
        expected_version=version,
    )


def _person_values(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    if "owner_id" in data:
        values["owner"] = access.assignable_owner(actor=actor, owner_id=data["owner_id"])
    if "organization_id" in data:
        values["organization"] = access.visible_reference(
            Organization, user=actor, pk=data["organization_id"], field="organization_id"
        )
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower()
    return values


def person_create(*, actor: User, data: dict[str, Any]) -> Person:
    values = _person_values(actor, {"owner_id": None, **data})
    return records.create(actor=actor, instance=Person(**values))


def person_update(*, actor: User, person: Person, data: dict[str, Any], version: int) -> Person:
    return records.update(
        actor=actor, instance=person, changes=_person_values(actor, data), expected_version=version
    )


@transaction.atomic
def record_delete(*, actor: User, instance: Any, version: int) -> Any:
    return records.soft_delete(actor=actor, instance=instance, expected_version=version)
