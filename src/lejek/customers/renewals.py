"""Renewals: a deal opened automatically some days before a contract ends, in the renewal
pipeline, owned by the account owner; winning it renews the contract, losing it churns it.

`create_due(today=...)` is what the daily task runs. It takes the day as a parameter so
tests (and a catch-up run) control the clock, and it is safe to run any number of times:
a contract has at most one renewal (a one-to-one row), so a second run finds nothing to do.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from lejek.accounts.models import User
from lejek.core import audit
from lejek.core.models import AuditEntry
from lejek.customers.models import Contract, CustomerDeal, DealKind, Renewal
from lejek.pipelines import services as deal_services
from lejek.pipelines.models import Pipeline, Stage

logger = logging.getLogger(__name__)

RENEWAL_TEMPLATE = "customers_renewal"
RENEWAL_PIPELINE = "Renewals"
RENEWAL_STAGES = (
    ("Renewal due", 50, 21),
    ("Renewal offer sent", 70, 14),
    ("Renewal agreed", 90, None),
)


def renewal_pipeline() -> Pipeline:
    """The pipeline renewal deals open in, made on first use."""
    found = Pipeline.objects.filter(template=RENEWAL_TEMPLATE).order_by("pk").first()
    if found is not None:
        return found
    with transaction.atomic():
        order = (
            Pipeline.objects.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
        pipeline = Pipeline.objects.create(
            name=RENEWAL_PIPELINE, template=RENEWAL_TEMPLATE, order=order
        )
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, order=i, probability=p, rotting_days=rot)
            for i, (name, p, rot) in enumerate(RENEWAL_STAGES)
        )
        audit.log_created(actor=None, instance=pipeline, note=f"template={RENEWAL_TEMPLATE}")
    return pipeline


def _account_owner(contract: Contract) -> User | None:
    for candidate in (contract.organization.owner, contract.owner, contract.deal.owner):
        if candidate.is_active:
            return candidate
    return None


def due_contracts(today: datetime.date) -> list[Contract]:
    return list(
        Contract.objects.alive()
        .filter(
            status=Contract.Status.ACTIVE,
            renew_on__lte=today,
            renewal__isnull=True,
            organization__deleted_at__isnull=True,
        )
        .select_related("organization__owner", "owner", "deal__owner")
        .order_by("renew_on", "pk")[:1000]
    )


def create_due(*, today: datetime.date | None = None) -> list[int]:
    """Open a renewal deal for every active contract whose renewal day has come; the new
    deals' ids. Each contract is handled in its own transaction: one bad row stops nothing."""
    today = today or timezone.localdate()
    pipeline = renewal_pipeline()
    created: list[int] = []
    for contract in due_contracts(today):
        try:
            renewal = renewal_open(contract=contract, pipeline=pipeline, today=today)
        except Exception:
            logger.exception("Could not open the renewal of contract %s", contract.pk)
            continue
        if renewal is not None:
            created.append(renewal.deal_id)
    return created


def renewal_open(*, contract: Contract, pipeline: Pipeline, today: datetime.date) -> Renewal | None:
    owner = _account_owner(contract)
    if owner is None:
        logger.warning("Contract %s has no active owner to renew it", contract.pk)
        return None
    org = contract.organization
    try:
        with transaction.atomic():
            # Lock the contract: two overlapping runs wait here, and the second sees the renewal.
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            if Renewal.objects.filter(contract_id=contract.pk).exists():
                return None
            deal = deal_services.deal_create(
                actor=owner,
                data={
                    "title": f"Renewal {contract.end_date.year}: {org.name}"[:200],
                    "pipeline_id": pipeline.pk,
                    "owner_id": owner.pk,
                    "organization_id": org.pk if org.owner_id == owner.pk else None,
                    "amount": contract.amount,
                    "currency": contract.currency,
                    "contract_years": contract.term_years,
                    "expected_close_date": contract.end_date,
                    "person_ids": list(contract.deal.people.values_list("pk", flat=True)) or None,
                },
            )
            if deal.organization_id is None:  # an owner who cannot see the account still renews it
                deal.__class__.objects.filter(pk=deal.pk).update(organization=org)
                deal.organization = org
            CustomerDeal.objects.create(deal=deal, kind=DealKind.RENEWAL, organization=org)
            renewal = Renewal.objects.create(contract=contract, deal=deal, created_on=today)
            audit.log_event(
                actor=None,
                instance=contract,
                action=AuditEntry.Action.UPDATED,
                field="renewal",
                new=deal.pk,
                note=f"Renewal deal opened {contract.notice_days} days before the end",
            )
            return renewal
    except IntegrityError:
        return None  # opened by a concurrent run


def decide(*, renewal: Renewal, outcome: str, at: datetime.datetime) -> Renewal:
    """Record a renewal's outcome: renewed (the next term's contract follows) or churned."""
    from lejek.customers import services

    contract = renewal.contract
    next_contract = renewal.next_contract
    if outcome == Renewal.Outcome.RENEWED and next_contract is None:
        deal = renewal.deal
        start = contract.end_date + datetime.timedelta(days=1)
        term = deal.contract_years or contract.term_years
        next_contract = services.contract_create(
            actor=None,
            deal=deal,
            data={
                "start_date": start,
                "term_years": term,
                "amount": deal.amount if deal.amount is not None else contract.amount,
                "currency": deal.currency,
                "notice_days": contract.notice_days,
                "renewal_terms": contract.renewal_terms,
            },
            check_access=False,
        )
    status = (
        Contract.Status.RENEWED if outcome == Renewal.Outcome.RENEWED else Contract.Status.CHURNED
    )
    Contract.objects.filter(pk=contract.pk).update(status=status, updated_at=at)
    audit.log_event(
        actor=None,
        instance=contract,
        action=AuditEntry.Action.UPDATED,
        field="status",
        old=contract.status,
        new=status,
    )
    Renewal.objects.filter(pk=renewal.pk).update(
        outcome=outcome, decided_at=at, next_contract=next_contract
    )
    renewal.outcome, renewal.decided_at, renewal.next_contract = outcome, at, next_contract
    return renewal


def undecide(*, renewal: Renewal) -> Renewal:
    """The renewal deal was reopened: the contract is active again, a next term withdrawn."""
    contract = renewal.contract
    if renewal.next_contract_id is not None:
        Contract.objects.filter(pk=renewal.next_contract_id).update(
            deleted_at=timezone.now(), updated_at=timezone.now()
        )
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.ACTIVE, updated_at=timezone.now()
    )
    audit.log_event(
        actor=None,
        instance=contract,
        action=AuditEntry.Action.UPDATED,
        field="status",
        old=contract.status,
        new=Contract.Status.ACTIVE,
        note="Renewal deal reopened",
    )
    Renewal.objects.filter(pk=renewal.pk).update(
        outcome=Renewal.Outcome.OPEN, decided_at=None, next_contract=None
    )
    renewal.outcome, renewal.decided_at, renewal.next_contract = Renewal.Outcome.OPEN, None, None
    return renewal
