"""Writes after the sale: a won deal makes a customer, contracts, expansion deals, referrals.

Renewals live in `renewals.py`, onboarding in `onboarding.py`, bookings in `booking.py`.
"""

import calendar
import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person
from lejek.core import money, records
from lejek.core.errors import Conflict, ValidationFailed
from lejek.customers.models import Contract, CustomerDeal, DealKind, Referral, Renewal
from lejek.leads import services as lead_services
from lejek.leads.models import Lead, Source
from lejek.pipelines import services as deal_services
from lejek.pipelines.models import Deal, Pipeline, StatusChange

DEFAULT_NOTICE_DAYS = 60


def notice_days_default() -> int:
    """Days before a contract's end its renewal deal opens (CUSTOMERS_RENEWAL_NOTICE_DAYS)."""
    return int(getattr(settings, "CUSTOMERS_RENEWAL_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_for(start: datetime.date, term_years: Decimal) -> datetime.date:
    """The last day of a term starting on `start`: one year from 1 March ends on 28 February."""
    months = int((Decimal(term_years) * 12).to_integral_value())
    return add_months(start, max(months, 1)) - datetime.timedelta(days=1)


def kind_of(deal: Deal) -> str:
    link = CustomerDeal.objects.filter(deal_id=deal.pk).values_list("kind", flat=True).first()
    return link or DealKind.NEW_BUSINESS


# --- won → customer -----------------------------------------------------------------------


def on_status_change(change: StatusChange) -> None:
    """React to a deal being won, lost or reopened (inside the transaction that did it)."""
    from lejek.customers import onboarding, renewals

    deal = Deal.objects.select_related("organization", "owner").get(pk=change.deal_id)
    day = timezone.localdate(change.at)
    renewal = Renewal.objects.select_related("contract").filter(deal_id=deal.pk).first()
    if change.to_status == Deal.Status.WON:
        customer_mark(actor=change.actor, deal=deal, day=day)
        if renewal is not None:
            renewals.decide(renewal=renewal, outcome=Renewal.Outcome.RENEWED, at=change.at)
            return
        if deal.contract_years and not deal.contracts.exists() and deal.organization_id:
            contract_create(
                actor=change.actor,
                deal=deal,
                data={"start_date": day, "term_years": deal.contract_years},
                check_access=False,
            )
        # Onboarding belongs to a customer: a deal without an organization makes none.
        if deal.organization_id and kind_of(deal) == DealKind.NEW_BUSINESS:
            onboarding.start(deal=deal, day=day, actor=change.actor)
    elif change.to_status == Deal.Status.LOST:
        if renewal is not None:
            renewals.decide(renewal=renewal, outcome=Renewal.Outcome.CHURNED, at=change.at)
    elif renewal is not None and renewal.outcome != Renewal.Outcome.OPEN:
        renewals.undecide(renewal=renewal)


def customer_mark(*, actor: User | None, deal: Deal, day: datetime.date) -> Organization | None:
    """The deal's organization becomes a customer (from `day`, or earlier if it already was)."""
    if deal.organization_id is None:
        return None
    org = Organization.objects.alive().filter(pk=deal.organization_id).first()
    if org is None:
        return None
    since = min(org.customer_since or day, day)
    if org.is_customer and org.customer_since == since:
        return org
    return records.update(
        actor=actor,
        instance=org,
        changes={"is_customer": True, "customer_since": since},
        expected_version=org.version,
        note=f"Deal #{deal.pk} won",
    )


# --- contracts ----------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.field(field, "Give a number.") from None
    if not number.is_finite() or number <= 0 or number > 100:
        raise ValidationFailed.field(field, "Give a term from 0.1 to 100 years.")
    return number.quantize(Decimal("0.01"))


def _contract_values(deal: Deal, data: dict[str, Any]) -> dict[str, Any]:
    start = data.get("start_date") or timezone.localdate()
    term = _decimal(data.get("term_years") or deal.contract_years or 1, "term_years")
    end = data.get("end_date") or end_for(start, term)
    if end < start:
        raise ValidationFailed.field("end_date", "The contract cannot end before it starts.")
    notice = data.get("notice_days")
    notice = notice_days_default() if notice is None else int(notice)
    if not 0 <= notice <= 3650:
        raise ValidationFailed.field("notice_days", "Give from 0 to 3650 days.")
    terms = data.get("renewal_terms") or Contract.RenewalTerms.MANUAL
    if terms not in Contract.RenewalTerms.values:
        raise ValidationFailed.field("renewal_terms", "Choose manual or auto.")
    amount = data.get("amount", deal.amount)
    currency = (data.get("currency") or deal.currency or "USD").upper()
    if not money.is_currency(currency):
        raise ValidationFailed.field("currency", f"Unknown currency '{currency}'.")
    return {
        "start_date": start,
        "end_date": end,
        "term_years": term,
        "notice_days": notice,
        "renew_on": end - datetime.timedelta(days=notice),
        "renewal_terms": terms,
        "amount": money.quantize(Decimal(amount)) if amount is not None else None,
        "currency": currency,
        "notes": (data.get("notes") or "")[:500],
    }


def contract_create(
    *, actor: User | None, deal: Deal, data: dict[str, Any], check_access: bool = True
) -> Contract:
    """A contract on a won deal of an organization; its renewal opens `notice_days` before
    the end. `check_access`: the actor must see the deal (off for automatic contracts)."""
    if check_access and actor is not None:
        deal = access.visible_or_404(Deal, user=actor, pk=deal.pk)
    if deal.status != Deal.Status.WON:
        raise Conflict("Contracts are signed on won deals; win the deal first.")
    if deal.organization_id is None:
        raise ValidationFailed.field("deal_id", "Link the deal to an organization first.")
    values = _contract_values(deal, data)
    org = deal.organization
    owner = org.owner if org is not None and org.owner.is_active else deal.owner
    with transaction.atomic():
        return records.create(
            actor=actor,
            instance=Contract(
                organization_id=deal.organization_id, deal=deal, owner=owner, **values
            ),
        )


def contract_update(
    *, actor: User, contract: Contract, data: dict[str, Any], version: int
) -> Contract:
    merged = {
        name: data.get(name, getattr(contract, name))
        for name in (
            "start_date",
            "end_date",
            "term_years",
            "notice_days",
            "renewal_terms",
            "amount",
            "currency",
            "notes",
        )
    }
    if "term_years" in data and "end_date" not in data:
        merged["end_date"] = None
    values = _contract_values(contract.deal, merged)
    return records.update(actor=actor, instance=contract, changes=values, expected_version=version)


# --- expansion and referrals --------------------------------------------------------------


def _customer(actor: User, organization_id: int) -> Organization:
    org = access.visible_or_404(Organization, user=actor, pk=organization_id)
    if not org.is_customer:
        raise Conflict(f"{org.name} is not a customer yet: win a deal with it first.")
    return org


def _pipeline_for(org: Organization, pipeline_id: int | None) -> Pipeline:
    from lejek.customers import renewals

    if pipeline_id:
        found = Pipeline.objects.filter(pk=pipeline_id, is_active=True).first()
        if found is None:
            raise ValidationFailed.field("pipeline_id", "Choose an active pipeline.")
        return found
    last = (
        Deal.objects.alive()
        .filter(organization=org, status=Deal.Status.WON, pipeline__is_active=True)
        .exclude(pipeline__template=renewals.RENEWAL_TEMPLATE)
        .order_by("-closed_at")
        .values_list("pipeline_id", flat=True)
        .first()
    )
    found = Pipeline.objects.filter(pk=last).first() if last else None
    found = (
        found
        or Pipeline.objects.filter(is_active=True)
        .exclude(template=renewals.RENEWAL_TEMPLATE)
        .order_by("order", "pk")
        .first()
    )
    if found is None:
        raise ValidationFailed.field("pipeline_id", "Create a pipeline first.")
    return found


def expansion_create(*, actor: User, organization_id: int, data: dict[str, Any]) -> Deal:
    """One click: an open upsell or cross-sell deal for a customer, marked as expansion."""
    org = _customer(actor, organization_id)
    pipeline = _pipeline_for(org, data.get("pipeline_id"))
    title = (data.get("title") or "").strip() or f"Expansion: {org.name}"
    people = list(
        Person.objects.visible_to(actor).filter(organization=org).values_list("pk", flat=True)[:5]
    )
    values = {
        "title": title[:200],
        "pipeline_id": pipeline.pk,
        "stage_id": data.get("stage_id"),
        "organization_id": org.pk,
        "amount": data.get("amount"),
        "currency": data.get("currency") or None,
        "person_ids": people or None,
        "owner_id": data.get("owner_id"),
    }
    with transaction.atomic():
        deal = deal_services.deal_create(
            actor=actor, data={k: v for k, v in values.items() if v is not None}
        )
        CustomerDeal.objects.create(deal=deal, kind=DealKind.EXPANSION, organization=org)
    return deal


def referral_create(*, actor: User, organization_id: int, data: dict[str, Any]) -> Lead:
    """A lead with source "referral", linked to the customer who referred it."""
    org = _customer(actor, organization_id)
    referrer = access.visible_reference(
        Person, user=actor, pk=data.get("referred_by_id"), field="referred_by_id"
    )
    values = {
        k: data[k]
        for k in ("first_name", "last_name", "email", "phone", "company_name", "job_title")
        if data.get(k)
    }
    with transaction.atomic():
        lead = lead_services.lead_create(
            actor=actor,
            data={**values, "source": Source.REFERRAL, "campaign": f"Referral: {org.name}"[:200]},
        )
        Referral.objects.create(customer=org, lead=lead, referred_by=referrer)
    return lead
