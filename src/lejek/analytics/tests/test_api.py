"""The analytics API: who sees which numbers, declared errors, rates and stage roles."""

import pytest

from lejek.analytics.models import ExchangeRate, StageRole
from lejek.analytics.tests.helpers import History
from lejek.pipelines import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin):
    return services.pipeline_create(actor=admin, template="probability_weighted")


@pytest.fixture
def deals(owner, teammate, outsider, pipeline):
    """One won deal each, closed in January 2025: 100, 200 and 400 USD."""
    for user, amount in ((owner, 100), (teammate, 200), (outsider, 400)):
        h = History(user, pipeline)
        h.won(h.deal("2025-01-05", amount=amount, currency="USD"), "2025-01-10")


def revenue(client, **params):
    response = client.get("analytics/report", start="2025-01", end="2025-03", **params)
    assert response.status_code == 200, response.json()
    return response.json()["current"]["revenue_won"]


def test_each_role_sees_its_own_share(personas, api_as, deals):
    expected = {
        "owner": "100.00",
        "teammate": "200.00",
        "manager": "300.00",  # the team: owner and teammate
        "outsider": "400.00",
        "other_manager": "400.00",
        "admin": "700.00",
    }
    for name, amount in expected.items():
        assert revenue(api_as(personas[name])) == {"amount": amount, "currency": "USD"}, name


def test_filters_stay_within_what_you_may_see(personas, api_as, deals):
    admin, manager, owner = (api_as(personas[n]) for n in ("admin", "manager", "owner"))
    assert revenue(admin, owner_id=personas["outsider"].pk)["amount"] == "400.00"
    assert revenue(admin, team_id=personas["owner"].team_id)["amount"] == "300.00"
    assert revenue(manager, owner_id=personas["teammate"].pk)["amount"] == "200.00"
    response = manager.get("analytics/report", owner_id=personas["outsider"].pk)
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]
    response = owner.get("analytics/report", owner_id=personas["teammate"].pk)
    assert response.status_code == 422


def test_report_shape_ratios_and_money(api_as, admin, deals):
    body = api_as(admin).get("analytics/report", start="2025-01", end="2025-03").json()
    assert body["reporting_currency"] == "USD"
    assert body["period"] == {"start": "2025-01", "end": "2025-03"}
    assert body["previous_period"] == {"start": "2024-10", "end": "2024-12"}
    m = body["current"]
    assert (m["won"], m["lost"], m["win_rate"], m["win_loss_ratio"]) == (3, 0, "1.000000", None)
    assert m["average_deal_size"] == {"amount": "233.33", "currency": "USD"}
    assert m["average_sales_cycle_days"] == "5.000000"
    assert body["previous"]["win_rate"] is None
    assert body["changes"]["won"] is None  # nothing won before: no change to report
    steps = body["funnels"][0]["steps"]
    assert [s["reached"] for s in steps] == [3, 0, 0, 0, 0, 0]
    assert steps[0]["conversion"] == "0.000000" and steps[-1]["conversion"] is None


def test_grouping_by_owner_team_source_and_month(api_as, admin, personas, deals):
    client = api_as(admin)
    body = client.get("analytics/report", start="2025-01", end="2025-03", group_by="owner").json()
    by_owner = {g["label"]: g["metrics"]["revenue_won"]["amount"] for g in body["groups"]}
    assert by_owner == {"Owner": "100.00", "Teammate": "200.00", "Outsider": "400.00"}
    body = client.get("analytics/report", start="2025-01", end="2025-03", group_by="team").json()
    assert {g["label"]: g["metrics"]["won"] for g in body["groups"]} == {"Team A": 2, "Team B": 1}
    body = client.get("analytics/report", start="2025-01", end="2025-03", group_by="month").json()
    assert [(g["key"], g["metrics"]["won"]) for g in body["groups"]] == [
        ("2025-01", 3),
        ("2025-02", 0),
        ("2025-03", 0),
    ]
    body = client.get("analytics/report", start="2025-01", group_by="source").json()
    assert [(g["label"], g["metrics"]["won"]) for g in body["groups"]] == [("Other", 3)]


def test_bad_filters_are_422_with_the_field(api_as, admin):
    client = api_as(admin)
    for params, field in (
        ({"start": "2025-13"}, "start"),
        ({"start": "2025-03", "end": "2025-01"}, "end"),
        ({"source": "nowhere"}, "source"),
        ({"pipeline_id": 999999}, "pipeline_id"),
        ({"team_id": 999999}, "team_id"),
    ):
        response = client.get("analytics/report", **params)
        assert response.status_code == 422, params
        assert field in response.json()["errors"], params
    assert client.get("analytics/report", group_by="planet").status_code == 422
    assert api_as(None).get("analytics/report").status_code == 401


def test_query_count_does_not_grow_with_deals(
    api_as, admin, owner, pipeline, django_assert_max_num_queries, django_assert_num_queries
):
    client = api_as(admin)
    client.get("analytics/report")  # warm up: token use, layout, audit position
    with django_assert_max_num_queries(20) as few:
        client.get("analytics/report", all_time=True)
    count = len(few)  # read now: every request resets the connection's query log
    h = History(owner, pipeline)
    for day in ("2025-01-05", "2025-02-05", "2025-03-05"):
        h.won(h.deal(day, amount=10, currency="USD"), day)
    client.get("analytics/report", all_time=True)  # follows the new audit entries once
    with django_assert_num_queries(count):
        client.get("analytics/report", all_time=True)


def test_rates_are_set_by_admins_and_convert_deals(api_as, admin, owner, pipeline):
    h = History(owner, pipeline)
    h.won(h.deal("2025-01-05", amount=100, currency="EUR"), "2025-01-10")
    client = api_as(admin)
    assert revenue(client)["amount"] == "0.00"
    body = {"currency": "eur", "rate": "1.08", "valid_from": "2025-01-01"}
    assert api_as(owner).post("analytics/rates", body).status_code == 403
    response = client.post("analytics/rates", body)
    assert response.status_code == 201
    rate = response.json()
    assert (rate["currency"], rate["reporting_currency"]) == ("EUR", "USD")
    assert revenue(client)["amount"] == "108.00"
    assert client.post("analytics/rates", body).status_code == 409
    response = client.patch(f"analytics/rates/{rate['id']}", {"rate": "1.10"})
    assert response.status_code == 200
    assert revenue(client)["amount"] == "110.00"
    response = client.patch(f"analytics/rates/{rate['id']}", {"valid_from": "2025-02-01"})
    assert revenue(client)["amount"] == "0.00"  # the deal closed before the rate starts
    assert client.get("analytics/rates").json()[0]["valid_from"] == "2025-02-01"
    for bad in ({**body, "currency": "USD"}, {**body, "rate": "0"}, {**body, "currency": "XXX"}):
        assert client.post("analytics/rates", bad).status_code == 422
    assert client.delete(f"analytics/rates/{rate['id']}").status_code == 204
    assert not ExchangeRate.objects.exists()
    assert client.delete(f"analytics/rates/{rate['id']}").status_code == 404


def test_proposal_stage_role(api_as, admin, owner, pipeline):
    stage = pipeline.stages.get(name="Product trial")
    client = api_as(admin)
    assert api_as(owner).put("analytics/stage-roles", {"stage_id": stage.pk}).status_code == 403
    response = client.put("analytics/stage-roles", {"stage_id": stage.pk})
    assert response.status_code == 200
    assert response.json()["stage"] == "Product trial"
    h = History(owner, pipeline)
    h.move(h.deal("2025-01-05"), "2025-01-06", 3)
    body = client.get("analytics/report", start="2025-01").json()
    assert body["current"]["proposals_sent"] == 1
    assert body["funnels"][0]["proposal_stage_id"] == stage.pk
    assert client.delete(f"analytics/stage-roles/{stage.pk}").status_code == 204
    assert not StageRole.objects.exists()
    assert client.put("analytics/stage-roles", {"stage_id": 10**9}).status_code == 422
