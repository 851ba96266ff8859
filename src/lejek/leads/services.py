"""Writes to leads. Each runs in a transaction and leaves audit entries for what changed."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.contacts import services as contact_services
from lejek.core import money, records
from lejek.core.errors import Conflict, ValidationFailed
from lejek.leads.models import Lead

LEAD_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company_name",
    "company_domain",
    "industry",
    "country",
    "source",
    "campaign",
    "status",
    "disqualified_reason",
    "budget",
    "budget_currency",
    "budget_confirmed",
    "authority",
    "need",
    "timeline",
    "company_size",
    "pain_points",
    "owner",
)
# Text fields where an explicit null means "clear it".
BLANK_TEXT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company_name",
    "company_domain",
    "industry",
    "country",
    "campaign",
    "disqualified_reason",
    "budget_currency",
    "authority",
    "need",
    "timeline",
    "pain_points",
)
# A lead must say who or what it is, or nobody can work it.
IDENTITY_FIELDS = ("title", "first_name", "last_name", "email", "company_name")
QUALIFIED = (Lead.Status.MQL, Lead.Status.SQL)


def _lead_values(actor: User, lead: Lead, data: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised field values for `lead` from API or form data."""
    values = {k: v for k, v in data.items() if k in LEAD_FIELDS}
    for name in BLANK_TEXT_FIELDS:
        if name in values and values[name] is None:
            values[name] = ""
    if "owner_id" in data:
        values["owner"] = access.assignable_owner(actor=actor, owner_id=data["owner_id"])
    if "email" in values:
        values["email"] = values["email"].strip().lower()
    if "company_domain" in values:
        values["company_domain"] = contact_services.normalise_domain(values["company_domain"])
    if "country" in values:
        values["country"] = values["country"].strip().upper()
    if values.get("budget") is not None:
        values["budget"] = money.quantize(values["budget"])
    _check_identity(lead, values)
    values.update(_budget_values(lead, values))
    if "status" in values or "disqualified_reason" in values:
        values.update(_status_values(lead, values))
    return values


def _check_identity(lead: Lead, values: dict[str, Any]) -> None:
    if any(values.get(name, getattr(lead, name)) for name in IDENTITY_FIELDS):
        return
    message = "A lead needs at least a name, an email address or a company name."
    raise ValidationFailed(message, fields={name: [message] for name in IDENTITY_FIELDS})


def _budget_values(lead: Lead, values: dict[str, Any]) -> dict[str, Any]:
    if "budget_currency" not in values and "budget" not in values:
        return {}
    currency = values.get("budget_currency", lead.budget_currency).strip().upper()
    if currency and not money.is_currency(currency):
        raise ValidationFailed.field("budget_currency", f"Unknown currency '{currency}'.")
    # A budget is money, and money always carries its currency.
    if not currency and values.get("budget", lead.budget) is not None:
        currency = settings.REPORTING_CURRENCY
    return {"budget_currency": currency}


def _status_values(lead: Lead, values: dict[str, Any]) -> dict[str, Any]:
    """Apply the status rules to a proposed status and/or disqualification reason."""
    status = values.get("status", lead.status)
    if status is None:
        raise ValidationFailed.field("status", "Choose a status.")
    if status == Lead.Status.CONVERTED and lead.status != Lead.Status.CONVERTED:
        raise ValidationFailed.field(
            "status",
            "A lead becomes converted only by converting it into a deal; "
            "the status cannot be set by hand.",
        )
    if lead.status == Lead.Status.CONVERTED and status != Lead.Status.CONVERTED:
        raise ValidationFailed.field("status", "A converted lead keeps its status.")
    kept = lead.disqualified_reason if lead.status == Lead.Status.DISQUALIFIED else ""
    reason = (values.get("disqualified_reason", kept) or "").strip()
    changes: dict[str, Any] = {"status": status}
    if status == Lead.Status.DISQUALIFIED:
        if not reason:
            raise ValidationFailed.field("disqualified_reason", "Say why the lead is disqualified.")
    elif reason and values.get("disqualified_reason"):
        raise ValidationFailed.field(
            "disqualified_reason", "Only a disqualified lead has a disqualification reason."
        )
    else:
        reason = ""  # leaving disqualified clears the reason
    changes["disqualified_reason"] = reason
    if status == Lead.Status.SQL and lead.status != Lead.Status.SQL:
        _check_qualification(lead, values)
    if status in QUALIFIED and lead.qualified_at is None:
        changes["qualified_at"] = timezone.now()
    return changes


# What each qualification field needs to count as known.
QUALIFICATION_LABELS = {
    "budget": "the budget",
    "budget_confirmed": "a confirmed budget",
    "authority": "the contact's authority",
    "need": "the need",
    "timeline": "the timeline",
    "company_size": "the company size",
    "pain_points": "the pain points",
}


def _check_qualification(lead: Lead, values: dict[str, Any]) -> None:
    """Moving to SQL may require the BANT fields (setting LEAD_SQL_REQUIRES)."""
    errors: dict[str, list[str]] = {}
    for name in getattr(settings, "LEAD_SQL_REQUIRES", []):
        if name not in QUALIFICATION_LABELS:
            continue
        value = values.get(name, getattr(lead, name))
        if value in (None, "", False) or (name == "authority" and value == "none"):
            errors[name] = [f"Record {QUALIFICATION_LABELS[name]} before the lead becomes SQL."]
    if errors:
        raise ValidationFailed("The lead is not qualified yet.", fields=errors)


def lead_create(*, actor: User, data: dict[str, Any]) -> Lead:
    """Create a lead owned by `actor` or, for managers and admins, by `data["owner_id"]`."""
    lead = Lead()
    values = _lead_values(actor, lead, {"owner_id": None, **data})
    for name, value in values.items():
        setattr(lead, name, value)
    return records.create(actor=actor, instance=lead)


def lead_update(*, actor: User, lead: Lead, data: dict[str, Any], version: int) -> Lead:
    """Change fields of a lead at `version`; every changed field gets an audit entry."""
    changes = _lead_values(actor, lead, data)
    return records.update(actor=actor, instance=lead, changes=changes, expected_version=version)


def lead_set_status(
    *, actor: User, lead: Lead, status: str, version: int, disqualified_reason: str = ""
) -> Lead:
    """Move a lead to `status`: a reason for `disqualified`, `qualified_at` on first MQL/SQL."""
    proposed: dict[str, Any] = {"status": status}
    if disqualified_reason.strip():
        proposed["disqualified_reason"] = disqualified_reason
    return records.update(
        actor=actor,
        instance=lead,
        changes=_status_values(lead, proposed),
        expected_version=version,
    )


@transaction.atomic
def lead_delete(*, actor: User, lead: Lead, version: int) -> Lead:
    """Soft-delete a lead at `version`; it disappears from lists and can be restored."""
    return records.soft_delete(actor=actor, instance=lead, expected_version=version)


@transaction.atomic
def lead_restore(*, actor: User, lead: Lead) -> Lead:
    """Bring back a soft-deleted lead."""
    if lead.deleted_at is None:
        raise Conflict("This lead is not deleted.")
    if lead.merged_into_id is not None:
        # Its activities, events and score went to the lead it joined; bringing it back
        # would make an empty twin of that lead.
        raise Conflict(f"This lead was merged into lead #{lead.merged_into_id}; open that one.")
    return records.restore(actor=actor, instance=lead)
