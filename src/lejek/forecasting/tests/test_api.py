"""The forecast API: permissions, one happy path each, snapshots and their accuracy."""

import datetime
from decimal import Decimal

from lejek.analytics.tests.helpers import History, clock, t
from lejek.forecasting import services
from lejek.forecasting.models import Snapshot, SnapshotValue
from lejek.pipelines.tests import factories

TODAY = t("2025-06-10")


def pipeline_with_deals(admin, owner, outsider):  # type: ignore[no-untyped-def]
    pipeline = factories.pipeline(admin)
    mine, theirs = History(owner, pipeline), History(outsider, pipeline)
    mine.deal("2025-05-02", stage=3, amount=1000, expected_close_date=datetime.date(2025, 6, 20))
    theirs.deal("2025-05-02", stage=4, amount=2000, expected_close_date=datetime.date(2025, 6, 20))
    won = mine.deal("2025-04-02", stage=1, amount=300)
    mine.won(won, "2025-05-15")
    return pipeline


def test_forecast_shows_each_user_what_they_may_see(api_as, admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        mine = api_as(owner).get("forecasts/", horizon=2).json()
        every = api_as(admin).get("forecasts/", horizon=2, group_by="owner").json()
    assert mine["currency"] == "USD"
    assert mine["months"] == ["2025-06", "2025-07"]
    assert mine["totals"]["weighted"] == ["600.00", "0.00"]  # 1,000 in "Product trial", 60 %
    assert every["totals"]["weighted"] == ["2200.00", "0.00"]  # + 2,000 in "Final call", 80 %
    assert [g["weighted"][0] for g in every["groups"]] == ["600.00", "1600.00"]
    totals = every["totals"]
    for index in range(2):
        p10, p50, p90 = (Decimal(totals[k][index]) for k in ("p10", "p50", "p90"))
        assert p10 <= p50 <= p90
    assert mine["run_rate_inputs"]["average_revenue"] == "100.00"  # 300 won in the last 90 days


def test_forecast_refuses_other_teams_and_bad_horizons(api_as, admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    assert api_as(owner).get("forecasts/", owner_id=outsider.pk).status_code == 422
    assert api_as(owner).get("forecasts/", horizon=10).status_code == 422
    assert api_as(None).get("forecasts/").status_code == 401


def test_run_rate_inputs_are_editable(api_as, admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        found = api_as(admin).get(
            "forecasts/",
            horizon=1,
            average_revenue="1000000",
            growth_rate="0.05",
            new_reps=5,
            ramp_deals="1",
            average_deal_value="5000",
        )
    assert found.status_code == 200
    assert found.json()["totals"]["run_rate"] == ["1075000.00"]


def test_snapshot_saved_and_scored_once_the_month_closes(api_as, admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        saved = api_as(owner).post("forecasts/snapshots", {"horizon": 1})
    assert saved.status_code == 201
    body = saved.json()
    assert body["owner_id"] == owner.pk
    weighted = [v for v in body["values"] if v["method"] == "weighted"]
    assert weighted == [
        {"month": "2025-06", "method": "weighted", "forecast": "600.00", "actual": None,
         "accuracy": None}
    ]  # fmt: skip
    snapshot = Snapshot.objects.get(pk=body["id"])
    assert snapshot.values.count() == len(SnapshotValue.Method)
    # In July, June has closed: the deal worth 1,000 was won for 800.
    from lejek.pipelines.models import Deal

    deal = Deal.objects.get(amount=Decimal("1000"))
    History(owner, deal.pipeline).won(deal, "2025-06-25")
    with clock(t("2025-07-02")):
        again = api_as(owner).get(f"forecasts/snapshots/{snapshot.pk}").json()
        hidden = api_as(outsider).get(f"forecasts/snapshots/{snapshot.pk}")
    weighted = next(v for v in again["values"] if v["method"] == "weighted")
    assert weighted["actual"] == "1000.00"
    assert weighted["accuracy"] == "0.600000"  # 1 − |600 − 1000| ÷ 1000
    assert hidden.status_code == 404


def test_weekly_snapshots_once_a_week(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        first = services.weekly_snapshots()
        again = services.weekly_snapshots()
    assert first == 5  # everyone, team A, team B, and each of the two reps with open deals
    assert again == 0
    reps = Snapshot.objects.filter(kind="weekly", owner__isnull=False)
    assert sorted(reps.values_list("owner_id", flat=True)) == sorted([owner.pk, outsider.pk])
    with clock(TODAY + datetime.timedelta(days=8)):
        assert services.weekly_snapshots() == 5


def test_only_a_teams_manager_saves_its_forecast(api_as, owner, manager) -> None:  # type: ignore[no-untyped-def]
    assert api_as(owner).post("forecasts/snapshots", {"team_id": owner.team_id}).status_code == 403
    with clock(TODAY):
        saved = api_as(manager).post("forecasts/snapshots", {})
    assert saved.status_code == 201
    assert saved.json()["team_id"] == manager.team_id


def test_backtest_endpoint(api_as, admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        found = api_as(admin).get("forecasts/backtest", months=3)
    assert found.status_code == 200
    body = found.json()
    assert [m["month"] for m in body["months"]] == ["2025-03", "2025-04", "2025-05"]
    assert body["months"][2]["actual"] == "300.00"
