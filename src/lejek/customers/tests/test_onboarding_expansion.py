"""Onboarding check-ins on won, expansion deals in one click, referrals linked to customers."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.core.errors import Conflict, NotFound
from lejek.customers import selectors, services
from lejek.customers.models import CustomerDeal, DealKind, Onboarding, Referral
from lejek.customers.tests.helpers import deal, organization, win
from lejek.leads.models import Source
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


def _local_day(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def test_check_ins_at_30_60_90_days_are_scheduled_on_won(
    owner: User, manager: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    won = win(manager, deal(owner, pipeline, org))  # won by the manager: tasks go to the owner
    tasks = Onboarding.objects.get(deal=won).tasks.order_by("due_at", "pk")
    by_subject = {t.subject.split(":")[0]: t for t in tasks}
    won_on = datetime.date(2030, 3, 1)  # a Friday
    for days in (30, 60, 90):
        task = by_subject[f"Check-in at {days} days"]
        assert _local_day(task.due_at) == won_on + datetime.timedelta(days=days)
        assert task.owner == owner and task.organization == org and task.done_at is None
    kickoff = by_subject["Onboarding kick-off call"]
    assert _local_day(kickoff.due_at) == datetime.date(2030, 3, 5)  # two business days
    assert "Ask for a referral" in by_subject
    assert selectors.customer_get(user=owner, pk=org.pk).open_tasks == 6  # type: ignore[union-attr]
    assert not Activity.objects.filter(deal=won).exists()  # the deal's own timeline stays as it was


def test_onboarding_starts_once(owner: User, pipeline: Pipeline, clock: Any) -> None:
    won = win(owner, deal(owner, pipeline, organization(owner)))
    again = pipeline_services.deal_reopen(actor=owner, deal=won, version=won.version)
    win(owner, again)
    assert Onboarding.objects.filter(deal=won).count() == 1
    assert Activity.objects.filter(organization=won.organization, kind="task").count() == 6


def test_expansion_deal_in_one_click(
    owner: User, outsider: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    win(owner, deal(owner, pipeline, org))
    expansion = services.expansion_create(actor=owner, organization_id=org.pk, data={})
    assert expansion.status == Deal.Status.OPEN and expansion.pipeline == pipeline
    assert expansion.title == "Expansion: Acme" and expansion.organization == org
    assert CustomerDeal.objects.get(deal=expansion).kind == DealKind.EXPANSION
    # Winning an expansion counts as expansion revenue and starts no new onboarding.
    expansion = Deal.objects.get(pk=expansion.pk)
    pipeline_services.deal_update(
        actor=owner,
        deal=expansion,
        data={"amount": Decimal("500"), "currency": "USD"},
        version=expansion.version,
    )
    win(owner, expansion)
    assert not Onboarding.objects.filter(deal=expansion).exists()
    totals = selectors.revenue_by_kind(user=owner)["amounts"]
    assert totals[DealKind.NEW_BUSINESS] == Decimal("12000")
    assert totals[DealKind.EXPANSION] == Decimal("500")
    with pytest.raises(NotFound):
        services.expansion_create(actor=outsider, organization_id=org.pk, data={})


def test_expansion_needs_a_customer(owner: User, pipeline: Pipeline) -> None:
    org = organization(owner)
    with pytest.raises(Conflict):
        services.expansion_create(actor=owner, organization_id=org.pk, data={})


def test_referral_is_a_lead_linked_to_the_customer(
    owner: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    win(owner, deal(owner, pipeline, org))
    lead = services.referral_create(
        actor=owner,
        organization_id=org.pk,
        data={"first_name": "Rita", "last_name": "Ref", "email": "rita@beta.example"},
    )
    assert lead.source == Source.REFERRAL
    assert Referral.objects.get(lead=lead).customer == org
    # The referred lead's won deal is the referring customer's referral revenue.
    referred = deal(owner, pipeline, None, title="Beta", lead_id=lead.pk, amount="3000")
    win(owner, referred)
    page = selectors.customer_page(user=owner, org=org)
    assert page["referral_revenue"] == Decimal("3000.00")
