"""Scorecards and quadrants on a constructed team (February vs January 2025)."""

from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from lejek.accounts import services as account_services
from lejek.accounts.models import User
from lejek.analytics.filters import Period
from lejek.forecasting.models import Snapshot, SnapshotValue
from lejek.salesops import calc, quotas, scorecard
from lejek.salesops.tests.helpers import clock, month, pipeline, t, won_deal

pytestmark = pytest.mark.django_db

JAN, FEB = month("2025-01"), month("2025-02")
# rep: (January won, February won) against 10,000 a month.
STORY = {
    "ada": (5000, 15000),  # 50 % → 150 %: above the median, improving → rising star
    "ben": (20000, 12000),  # 200 % → 120 %: above, declining → falling star
    "cyd": (2000, 6000),  # 20 % → 60 %: below, improving → improving laggard
    "dot": (10000, 4000),  # 100 % → 40 %: below, declining → declining laggard
}


@pytest.fixture
def team(admin, manager, team_a):
    p = pipeline(admin)
    reps = {}
    for name, (jan, feb) in STORY.items():
        rep = account_services.user_create(
            username=name,
            password="pass-" + name,
            role=User.Role.REP,
            team=team_a,
            first_name=name.capitalize(),
        )
        reps[name] = rep
        for first in (JAN, FEB):
            quotas.quota_create(
                actor=manager, user=rep, kind="month", period_start=first, amount=D(10000)
            )
        won_deal(rep, p, jan, "2025-01-02", "2025-01-15")
        won_deal(rep, p, feb, "2025-02-02", "2025-02-15")
    return reps


def test_quadrants(manager, team) -> None:
    with clock(t("2025-03-05")):
        board = scorecard.team_scorecard(manager, Period(FEB, FEB))
    rows = {r["user"].username: r for r in board["rows"]}
    assert board["medians"]["attainment"] == F(9, 10)  # (1.2 + 0.6) / 2
    assert rows["ada"]["quadrant"] == calc.RISING
    assert rows["ben"]["quadrant"] == calc.FALLING
    assert rows["cyd"]["quadrant"] == calc.IMPROVING
    assert rows["dot"]["quadrant"] == calc.DECLINING
    assert rows["manager"]["quadrant"] is None  # no quota
    assert [r["user"].username for r in board["unplaced"]] == ["manager"]
    assert rows["ada"]["x"] == F(6, 10) and rows["ada"]["y"] == F(1)
    assert rows["dot"]["y"] == F(-6, 10)
    assert board["attainment_rate"] == F(2, 4)
    ada = rows["ada"]
    assert ada["now"]["revenue_won"] == 15000 and ada["before"]["revenue_won"] == 5000
    assert ada["now"]["win_rate"] == 1 and ada["now"]["average_deal_size"] == 15000
    assert ada["vs_previous"]["average_deal_size"] == 10000
    assert ada["vs_median"]["average_deal_size"] == F(15000) - F(12000 + 6000, 2)
    assert ada["now"]["average_sales_cycle_days"] == 13


def test_rep_card_and_visibility(manager, owner, team) -> None:
    with clock(t("2025-03-05")):
        card = scorecard.rep_scorecard(manager, team["ada"].pk, Period(FEB, FEB))
        hidden = scorecard.rep_scorecard(owner, team["ada"].pk, Period(FEB, FEB))
        own = scorecard.rep_scorecard(owner, owner.pk, Period(FEB, FEB))
    assert card is not None and card["row"]["quadrant"] == calc.RISING
    assert hidden is None
    assert own is not None and [r["user"] for r in own["rows"]] == [owner]


def _snapshot(rep: User, as_of: str, values: dict[str, int], horizon: int = 3) -> None:
    snapshot = Snapshot.objects.create(
        kind=Snapshot.Kind.WEEKLY, as_of=month(as_of[:7]).replace(day=int(as_of[8:])),
        horizon=horizon, currency="USD", owner=rep,
    )  # fmt: skip
    for first, amount in values.items():
        SnapshotValue.objects.create(
            snapshot=snapshot, method="weighted", month=month(first), amount=D(amount)
        )
        SnapshotValue.objects.create(
            snapshot=snapshot, method="commit", month=month(first), amount=D(1)
        )


def test_forecast_accuracy_per_rep(manager, team) -> None:
    """The rep's weighted forecast saved on or before the period's first day, against what
    they won: 1 − |forecast − actual| ÷ actual, once the period has ended."""
    _snapshot(team["ada"], "2025-01-20", {"2025-02": 9000})  # older: not the latest
    _snapshot(team["ada"], "2025-01-28", {"2025-02": 12000})  # 1 − 3,000 ÷ 15,000 = 0.8
    _snapshot(team["ben"], "2025-02-02", {"2025-02": 99000})  # after the month began
    _snapshot(team["cyd"], "2024-12-20", {"2025-02": 6000})  # older than 31 days
    _snapshot(team["dot"], "2025-01-31", {"2025-01": 1}, horizon=1)  # does not cover Feb
    _snapshot(team["dot"], "2024-12-31", {"2025-01": 15000})  # January: 1 − 5,000 ÷ 10,000
    with clock(t("2025-03-05")):
        board = scorecard.team_scorecard(manager, Period(FEB, FEB))
        running = scorecard.team_scorecard(manager, Period(month("2025-03"), month("2025-03")))
    rows = {r["user"].username: r for r in board["rows"]}
    assert rows["ada"]["now"]["forecast_accuracy"] == F(4, 5)
    assert rows["ben"]["now"]["forecast_accuracy"] is None
    assert rows["cyd"]["now"]["forecast_accuracy"] is None
    assert rows["dot"]["now"]["forecast_accuracy"] is None
    assert rows["dot"]["before"]["forecast_accuracy"] == F(1, 2)
    assert board["medians"]["forecast_accuracy"] == F(4, 5)
    # March has not ended: no accuracy yet, whatever was saved.
    assert all(r["now"]["forecast_accuracy"] is None for r in running["rows"])
