from decimal import Decimal
from typing import Any

import pytest

from lejek.accounts.models import User
from lejek.analytics import feed
from lejek.customers.models import CustomerDeal
from lejek.customers.tests.helpers import deal, organization, win
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db


def test_customer_api(
    owner: User, outsider: User, pipeline: Pipeline, api_as: Any, clock: Any
) -> None:
    org = organization(owner)
    won = win(owner, deal(owner, pipeline, org))
    api = api_as(owner)
    listed = api.get("customers")
    assert listed.status_code == 200, listed.content
    assert [c["id"] for c in listed.json()["items"]] == [org.pk]
    assert Decimal(listed.json()["items"][0]["revenue"]) == Decimal("12000")
    assert api_as(outsider).get(f"customers/{org.pk}").status_code == 404
    assert api_as(None).get("customers").status_code == 401

    made = api.post(f"customers/deals/{won.pk}/contracts", {"term_years": "2", "notice_days": 30})
    assert made.status_code == 201, made.content
    assert made.json()["end_date"] == "2032-02-29"
    assert api.get(f"customers/{org.pk}/contracts").json()[0]["id"] == made.json()["id"]
    bad = api.post(f"customers/deals/{won.pk}/contracts", {"notice_days": -1})
    assert bad.status_code == 422

    expansion = api.post(f"customers/{org.pk}/expansion", {"amount": "900"})
    assert expansion.status_code == 201, expansion.content
    assert CustomerDeal.objects.get(deal_id=expansion.json()["id"]).kind == "expansion"
    assert api_as(outsider).post(f"customers/{org.pk}/expansion", {}).status_code == 404

    referral = api.post(f"customers/{org.pk}/referrals", {"last_name": "Ref", "email": "r@x.io"})
    assert referral.status_code == 201 and referral.json()["source"] == "referral"

    metrics = api.get("customers/metrics")
    assert metrics.status_code == 200, metrics.content
    assert metrics.json()["customers"] == 1 and metrics.json()["renewal_rate"] is None


def test_customer_list_query_count(
    owner: User, pipeline: Pipeline, api_as: Any, clock: Any, django_assert_max_num_queries: Any
) -> None:
    for name in ("A", "B", "C", "D"):
        win(owner, deal(owner, pipeline, organization(owner, name)))
    api = api_as(owner)
    feed.catch_up()  # summaries current: listing then reads them without writing
    with django_assert_max_num_queries(10):
        response = api.get("customers")
    assert len(response.json()["items"]) == 4
