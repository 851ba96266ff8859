"""The dashboard's split of won revenue: new business, expansion, renewals, exact."""

import datetime
from decimal import Decimal

import pytest

from lejek.accounts.models import User
from lejek.analytics.models import ExchangeRate
from lejek.customers import services
from lejek.customers.tests.helpers import deal, organization, win
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
