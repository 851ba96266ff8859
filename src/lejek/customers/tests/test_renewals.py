"""Won → customer with a contract → the renewal deal appears on the right day → its outcome
updates the renewal rate and the CLV inputs."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.contacts.models import Organization
from lejek.core.errors import Conflict
from lejek.customers import renewals, selectors, services, tasks
from lejek.customers.models import Contract, CustomerDeal, DealKind, Renewal
from lejek.customers.tests.helpers import deal, local, lose, organization, win
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


def test_winning_makes_the_organization_a_customer(
    owner: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    won = win(owner, deal(owner, pipeline, org))
    org.refresh_from_db()
    assert org.is_customer is True
    assert org.customer_since == datetime.date(2030, 3, 1)
    assert org.version == 2  # a versioned, audited change
    row = selectors.customer_get(user=owner, pk=org.pk)
    assert row is not None and row.revenue == Decimal("12000.00") and row.won_deals == 1
    assert won.contracts.count() == 0  # no term known: no contract made up


def test_an_earlier_customer_since_is_kept(owner: User, pipeline: Pipeline, clock: Any) -> None:
    org = organization(owner)
    win(owner, deal(owner, pipeline, org))
    clock.set(local(2030, 9, 1, 10, 0))
    win(owner, deal(owner, pipeline, org, title="Second"))
    org.refresh_from_db()
    assert org.customer_since == datetime.date(2030, 3, 1)
    assert selectors.customer_get(user=owner, pk=org.pk).revenue == Decimal("24000.00")  # type: ignore[union-attr]


def test_customers_are_scoped_by_visibility(
    owner: User, outsider: User, manager: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    win(owner, deal(owner, pipeline, org))
    assert [o.pk for o in selectors.customer_list(user=owner)] == [org.pk]
    assert [o.pk for o in selectors.customer_list(user=manager)] == [org.pk]
    assert list(selectors.customer_list(user=outsider)) == []


def test_renewal_deal_appears_on_the_right_day_and_its_outcome_counts(
    owner: User, teammate: User, manager: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    won = win(owner, deal(owner, pipeline, org, contract_years="1"))
    contract = Contract.objects.get(deal=won)
    assert (contract.start_date, contract.end_date) == (
        datetime.date(2030, 3, 1),
        datetime.date(2031, 2, 28),
    )
    assert contract.notice_days == 60
    assert contract.renew_on == datetime.date(2030, 12, 30)
    assert contract.annual_amount == Decimal("12000.00")

    assert renewals.create_due(today=datetime.date(2030, 12, 29)) == []
    created = tasks.open_due_renewals.call("2030-12-30")
    assert len(created) == 1
    renewal_deal = Deal.objects.get(pk=created[0])
    assert renewal_deal.owner == owner  # the account owner
    assert renewal_deal.pipeline.template == renewals.RENEWAL_TEMPLATE
    assert renewal_deal.organization == org
    assert renewal_deal.amount == Decimal("12000.00")
    assert renewal_deal.expected_close_date == datetime.date(2031, 2, 28)
    assert CustomerDeal.objects.get(deal=renewal_deal).kind == DealKind.RENEWAL
    # Idempotent: the next day (or a second run) opens nothing more.
    assert renewals.create_due(today=datetime.date(2030, 12, 30)) == []
    assert renewals.create_due(today=datetime.date(2030, 12, 31)) == []
    row = selectors.customer_get(user=owner, pk=org.pk)
    assert row is not None and row.open_renewals == 1
    assert row.renewal_date == datetime.date(2031, 2, 28)

    assert selectors.renewal_rate(user=owner).rate is None
    clock.set(local(2031, 2, 20, 12, 0))
    win(owner, renewal_deal)
    renewal = Renewal.objects.get(deal=renewal_deal)
    assert renewal.outcome == Renewal.Outcome.RENEWED
    contract.refresh_from_db()
    assert contract.status == Contract.Status.RENEWED
    assert renewal.next_contract is not None
    assert renewal.next_contract.start_date == datetime.date(2031, 3, 1)
    assert renewal.next_contract.end_date == datetime.date(2032, 2, 29)
    rate = selectors.renewal_rate(user=owner)
    assert (rate.renewed, rate.churned, rate.rate) == (1, 0, Decimal("100.00"))

    # A second customer whose renewal is lost: churned; the rate halves.
    other = organization(owner, "Beta")
    clock.set(local(2030, 3, 1, 10, 0))
    win(owner, deal(owner, pipeline, other, title="Beta deal", contract_years="1"))
    created = renewals.create_due(today=datetime.date(2031, 1, 5))
    beta_renewal = Deal.objects.get(pk=created[0])
    assert beta_renewal.organization == other
    clock.set(local(2031, 2, 25, 12, 0))
    lose(owner, beta_renewal)
    assert Renewal.objects.get(deal=beta_renewal).outcome == Renewal.Outcome.CHURNED
    rate = selectors.renewal_rate(user=owner)
    assert (rate.renewed, rate.churned, rate.rate) == (1, 1, Decimal("50.00"))
    assert selectors.renewal_rate(user=teammate).decided == 0  # scoped
    assert selectors.renewal_rate(user=manager).decided == 2

    # CLV inputs: Acme stays a customer, Beta churned on 25 Feb 2031.
    figures = {f.organization_id: f for f in selectors.clv_figures(user=owner)}
    assert figures[org.pk].churned_on is None
    assert figures[org.pk].revenue == Decimal("24000.00")  # first deal + renewal
    assert figures[other.pk].churned_on == datetime.date(2031, 2, 25)
    assert figures[other.pk].revenue == Decimal("12000.00")
    result = selectors.clv(user=owner, today=datetime.date(2031, 3, 1))
    assert result.customers == 2 and result.value is not None


def test_reopening_a_decided_renewal_undoes_its_outcome(
    owner: User, pipeline: Pipeline, clock: Any
) -> None:
    org = organization(owner)
    win(owner, deal(owner, pipeline, org, contract_years="2"))
    contract = Contract.objects.get(organization=org)
    assert contract.end_date == datetime.date(2032, 2, 29)
    (renewal_id,) = renewals.create_due(today=contract.renew_on)
    renewal_deal = win(owner, Deal.objects.get(pk=renewal_id))
    from lejek.pipelines import services as pipeline_services

    pipeline_services.deal_reopen(actor=owner, deal=renewal_deal, version=renewal_deal.version)
    renewal = Renewal.objects.get(deal_id=renewal_id)
    assert renewal.outcome == Renewal.Outcome.OPEN and renewal.next_contract is None
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert Contract.objects.alive().filter(organization=org).count() == 1


def test_contract_on_an_open_deal_is_refused(owner: User, pipeline: Pipeline) -> None:
    open_deal = deal(owner, pipeline, organization(owner))
    with pytest.raises(Conflict):
        services.contract_create(actor=owner, deal=open_deal, data={})


def test_manual_contract_with_its_own_notice(owner: User, pipeline: Pipeline, clock: Any) -> None:
    org = organization(owner)
    won = win(owner, deal(owner, pipeline, org))
    contract = services.contract_create(
        actor=owner,
        deal=won,
        data={"start_date": datetime.date(2030, 4, 1), "term_years": "3", "notice_days": 90},
    )
    assert contract.end_date == datetime.date(2033, 3, 31)
    assert contract.renew_on == datetime.date(2032, 12, 31)
    assert Organization.objects.get(pk=org.pk).is_customer
