"""Converting a qualified lead into a person, an organization and a deal.

Existing records are reused when they match (the organization by company domain, then by
name; the person by email), so converting never creates the duplicates a team then has to
clean. The lead's activities are linked to the new deal and person, so its whole timeline
shows there too; the lead itself stays, converted, pointing at what it became.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.core import audit, records
from lejek.core.errors import Conflict, Forbidden, VersionConflict
from lejek.core.models import AuditEntry
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal
from lejek.pipelines.services import deals as deal_services


@dataclass
class Conversion:
    lead: Lead
    deal: Deal
    person: Person | None
    organization: Organization | None
    reused: list[str]


def _organization(
    actor: User, lead: Lead, data: dict[str, Any], reused: list[str]
) -> Organization | None:
    if data.get("organization_id") is not None:
        reused.append("organization")
        return access.visible_reference(
            Organization, user=actor, pk=data["organization_id"], field="organization_id"
        )
    visible = Organization.objects.visible_to(actor)
    match = None
    if lead.company_domain:
        match = visible.filter(domain=lead.company_domain).order_by("pk").first()
    if match is None and lead.company_name:
        match = visible.filter(name__iexact=lead.company_name.strip()).order_by("pk").first()
    if match is not None:
        reused.append("organization")
        return match
    if not lead.company_name:
        return None
    values = {
        "name": lead.company_name,
        "domain": lead.company_domain,
        "industry": lead.industry,
        "country": lead.country,
        "employees": lead.company_size,
        "owner_id": lead.owner_id,
    }
    return contact_services.organization_create(actor=actor, data=values)


def _person(
    actor: User,
    lead: Lead,
    organization: Organization | None,
    data: dict[str, Any],
    reused: list[str],
) -> Person | None:
    if data.get("person_id") is not None:
        reused.append("person")
        return access.visible_reference(Person, user=actor, pk=data["person_id"], field="person_id")
    if lead.email:
        match = Person.objects.visible_to(actor).filter(email=lead.email).order_by("pk").first()
        if match is not None:
            reused.append("person")
            return match
    last = lead.last_name or lead.first_name
    if not last and not lead.email:
        return None
    values = {
        "first_name": lead.first_name if lead.last_name else "",
        "last_name": last or lead.email.partition("@")[0],
        "email": lead.email,
        "phone": lead.phone,
        "job_title": lead.job_title,
        "organization_id": organization.pk if organization else None,
        "owner_id": lead.owner_id,
    }
    return contact_services.person_create(actor=actor, data=values)


@transaction.atomic
def lead_convert(*, actor: User, lead: Lead, version: int, data: dict[str, Any]) -> Conversion:
    """Convert `lead` (read at `version`) into a deal in `data["pipeline_id"]` (first stage
    unless `stage_id`), with `title`, `amount`, `currency`, `expected_close_date` optional."""
    locked = Lead.objects.select_for_update().select_related("owner").get(pk=lead.pk)
    if locked.version != version:
        raise VersionConflict(locked.version)
    if locked.status == Lead.Status.CONVERTED:
        raise Conflict("This lead is already converted.")
    if locked.status == Lead.Status.DISQUALIFIED:
        raise Conflict("A disqualified lead cannot be converted; requalify it first.")
    if not actor.can_manage(locked.owner_id, locked.owner.team_id):
        raise Forbidden("You may only convert your own leads or, as a manager, your team's.")
    reused: list[str] = []
    organization = _organization(actor, locked, data, reused)
    person = _person(actor, locked, organization, data, reused)
    title = (data.get("title") or "").strip() or (locked.company_name or locked.display_name)
    deal_data = {
        "title": title[:200],
        "pipeline_id": data.get("pipeline_id"),
        "stage_id": data.get("stage_id"),
        "amount": data.get("amount"),
        "currency": data.get("currency") or locked.budget_currency or None,
        "expected_close_date": data.get("expected_close_date"),
        "source": locked.source,
        "owner_id": locked.owner_id,
        "organization_id": organization.pk if organization else None,
        "person_ids": [person.pk] if person else None,
        "lead_id": locked.pk,
    }
    if deal_data["amount"] is None and locked.budget is not None:
        deal_data["amount"] = locked.budget
    deal = deal_services.deal_create(
        actor=actor, data={k: v for k, v in deal_data.items() if v is not None}
    )
    _link_timeline(actor, locked, deal, person)
    converted = records.update(
        actor=actor,
        instance=locked,
        changes={
            "status": Lead.Status.CONVERTED,
            "converted_at": timezone.now(),
            "person": person,
            "organization": organization,
        },
        expected_version=version,
        note=f"Converted into deal #{deal.pk}",
    )
    audit.log_event(
        actor=actor,
        instance=deal,
        action=AuditEntry.Action.UPDATED,
        field="lead",
        new=locked.pk,
        note=f"Converted from lead #{locked.pk} ({locked.display_name})",
    )
    return Conversion(converted, deal, person, organization, reused)


def _link_timeline(actor: User, lead: Lead, deal: Deal, person: Person | None) -> None:
    """The lead's activities appear on the deal (and the person) too; each link is history."""
    activities = Activity.objects.filter(lead=lead, deal__isnull=True)
    for activity in activities.only("pk"):
        audit.log_event(
            actor=actor,
            instance=activity,
            action=AuditEntry.Action.UPDATED,
            field="deal",
            new=deal.pk,
            note=f"Lead #{lead.pk} converted",
        )
    activities.update(deal=deal)
    if person is not None:
        Activity.objects.filter(lead=lead, person__isnull=True).update(person=person)
