"""The dashboard's split of won revenue: new business, expansion, renewals, exact."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.analytics.models import ExchangeRate
from lejek.customers import selectors, services
from lejek.customers.tests.helpers import deal, local, organization, win
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline
from lejek.web.tests.pages import client_for, text

pytestmark = pytest.mark.django_db


def test_split_on_the_dashboard(owner: User, outsider: User, pipeline: Pipeline) -> None:
    ExchangeRate.objects.create(
        currency="EUR", valid_from=datetime.date(2000, 1, 1), rate=Decimal("1.10")
    )
    org = organization(owner)
    win(owner, deal(owner, pipeline, org, currency="USD", amount=Decimal("12000.50")))
    expansion = services.expansion_create(actor=owner, organization_id=org.pk, data={})
    expansion = Deal.objects.get(pk=expansion.pk)
    pipeline_services.deal_update(
        actor=owner,
        deal=expansion,
        data={"amount": Decimal("1000"), "currency": "EUR"},
        version=expansion.version,
    )
    win(owner, expansion)
    response = client_for(owner).get("/customers/revenue-split/")
    assert response.status_code == 200
    body = text(response)
    assert 'data-kind="new"' in body and "12,000.50" in body
    assert "1,100" in body  # 1,000 EUR at 1.10
    assert "13,100.50" in body  # the total, exact to the cent
    assert "New business" in body and "Expansion" in body
    # Another team sees none of it.
    assert "12,000.50" not in text(client_for(outsider).get("/customers/revenue-split/"))
    # The dashboard loads the card with its own filters.
    assert "/customers/revenue-split/?" in text(client_for(owner).get("/analytics/"))


def test_customer_figures_convert_each_currency_at_its_close_date(
    owner: User, pipeline: Pipeline, api_as: Any, clock: Any
) -> None:
    """Lifetime, referral and per-kind revenue add amounts only after converting them to the
    reporting currency (USD here) at the rate in force on each close date."""
    ExchangeRate.objects.create(
        currency="EUR", valid_from=datetime.date(2000, 1, 1), rate=Decimal("1.10")
    )
    ExchangeRate.objects.create(
        currency="EUR", valid_from=datetime.date(2030, 6, 1), rate=Decimal("1.20")
    )
    org = organization(owner)
    win(owner, deal(owner, pipeline, org, amount=Decimal("1000"), currency="EUR"))  # 1,100
    clock.set(local(2030, 7, 1, 10, 0))
    win(owner, deal(owner, pipeline, org, amount=Decimal("0.05"), currency="EUR"))  # 0.06
    win(owner, deal(owner, pipeline, org, amount=Decimal("250.25"), currency="USD"))
    win(owner, deal(owner, pipeline, org, amount=Decimal("999"), currency="CHF"))  # no rate
    lead = services.referral_create(actor=owner, organization_id=org.pk, data={"last_name": "R"})
    win(owner, deal(owner, pipeline, None, lead_id=lead.pk, amount="100", currency="EUR"))

    row = selectors.customer_get(user=owner, pk=org.pk)
    assert row is not None
    assert row.revenue == Decimal("1350.31")  # 1,100 + 0.06 + 250.25; CHF left out
    assert row.unconvertible_deals == 1
    page = selectors.customer_page(user=owner, org=org)
    assert page["referral_revenue"] == Decimal("120.00")  # 100 EUR at 1.20
    assert page["revenue_by_kind"]["amounts"]["new"] == Decimal("1350.31")

    listed = api_as(owner).get("customers?sort=-revenue").json()["items"]
    assert Decimal(listed[0]["revenue"]) == Decimal("1350.31")
    assert listed[0]["unconvertible_deals"] == 1
    found = api_as(owner).get("customers/metrics").json()
    assert found["currency"] == "USD" and found["unconvertible_deals"] == 1
    assert Decimal(found["revenue_by_kind"]["new"]) == Decimal("1470.31")  # + the referral
    figures = {f.organization_id: f for f in selectors.clv_figures(user=owner)}
    assert figures[org.pk].revenue == Decimal("1350.31")
    body = text(client_for(owner).get("/customers/"))
    assert "1,350.31" in body and "1,470.31" in body


def test_customers_sort_by_converted_revenue(
    owner: User, pipeline: Pipeline, api_as: Any, clock: Any
) -> None:
    ExchangeRate.objects.create(
        currency="EUR", valid_from=datetime.date(2000, 1, 1), rate=Decimal("1.10")
    )
    euro = organization(owner, "Euro")
    dollar = organization(owner, "Dollar")
    win(owner, deal(owner, pipeline, euro, amount=Decimal("1000"), currency="EUR"))  # 1,100
    win(owner, deal(owner, pipeline, dollar, amount=Decimal("1050"), currency="USD"))
    listed = api_as(owner).get("customers?sort=-revenue").json()["items"]
    assert [c["name"] for c in listed] == ["Euro", "Dollar"]
