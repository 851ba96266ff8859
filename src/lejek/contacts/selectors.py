"""Reads of organizations and people, scoped to what the user may see."""

from typing import Any

from django.db.models import Q, QuerySet

from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person

ORGANIZATION_SORTS = {
    "name": "name",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "employees": "employees",
    "country": "country",
}
PERSON_SORTS = {
    "last_name": "last_name",
    "first_name": "first_name",
    "email": "email",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def organization_list(*, user: User, filters: Any) -> QuerySet[Organization]:
    qs = Organization.objects.visible_to(user).select_related("owner")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(domain__icontains=filters.q))
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.is_customer is not None:
        qs = qs.filter(is_customer=filters.is_customer)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.country:
        qs = qs.filter(country=filters.country.upper())
    return qs


def person_list(*, user: User, filters: Any) -> QuerySet[Person]:
    qs = Person.objects.visible_to(user).select_related("owner", "organization")
    if filters.q:
        qs = qs.filter(
            Q(last_name__icontains=filters.q)
            | Q(first_name__icontains=filters.q)
            | Q(email__icontains=filters.q)
        )
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    return qs
