"""Campaigns and tags: create them, put records in and take them out, keeping every stay."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation.models import Campaign, Membership
from lejek.core.errors import ValidationFailed


@transaction.atomic
def campaign_create(*, actor: User, name: str, kind: str = Campaign.Kind.CAMPAIGN) -> Campaign:
    access.require_admin(actor, "create campaigns")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.field("name", "A campaign needs a name.")
    if Campaign.objects.filter(kind=kind, name__iexact=name).exists():
        raise ValidationFailed.field("name", f"There already is a {kind} called '{name}'.")
    return Campaign.objects.create(name=name, kind=kind)


def campaign_ensure(*, name: str, kind: str = Campaign.Kind.CAMPAIGN) -> Campaign:
    """The campaign of that name, created if missing (for shipped procedures)."""
    found = Campaign.objects.filter(kind=kind, name__iexact=name).first()
    return found or Campaign.objects.create(name=name, kind=kind)


def current(campaign: Campaign, entity_type: str, entity_id: int) -> Membership | None:
    return Membership.objects.filter(
        campaign=campaign, entity_type=entity_type, entity_id=entity_id, removed_at__isnull=True
    ).first()


@transaction.atomic
def membership_add(
    *, actor: Any, campaign: Campaign, entity_type: str, entity_id: int, note: str = ""
) -> tuple[Membership, bool]:
    """Add a record; (membership, False) when it is already in."""
    found = current(campaign, entity_type, entity_id)
    if found is not None:
        return found, False
    membership = Membership.objects.create(
        campaign=campaign,
        entity_type=entity_type,
        entity_id=entity_id,
        added_by=actor,
        note=note[:200],
    )
    return membership, True


@transaction.atomic
def membership_remove(
    *, actor: Any, campaign: Campaign, entity_type: str, entity_id: int
) -> Membership | None:
    """End the record's current stay; None when it was not in."""
    found = current(campaign, entity_type, entity_id)
    if found is None:
        return None
    found.removed_at = timezone.now()
    found.removed_by = actor
    found.save(update_fields=["removed_at", "removed_by"])
    return found
