"""Commission plans, quadrants and the reverse funnel as plain arithmetic (no database)."""

from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from lejek.salesops import calc

JUNIOR = calc.Terms(base_pay=D("3000"), rate=D("0.10"), target=D("10000"), kind=calc.CLIFF)
SENIOR = calc.Terms(base_pay=D("5000"), rate=D("0.10"), target=D("25000"), kind=calc.CLIFF)


def test_golden_example_4_commission() -> None:
    """SPEC golden example 4 (seed 002)."""
    assert calc.commission(JUNIOR, D("12000")) == D("1200.00")
    assert calc.commission(JUNIOR, D("9000")) == D("0.00")
    assert calc.commission(SENIOR, D("25000")) == D("2500.00")


def test_cliff_boundaries() -> None:
    assert calc.commission(JUNIOR, D("10000.00")) == D("1000.00")
    assert calc.commission(JUNIOR, D("9999.99")) == D("0.00")
    assert calc.commission(JUNIOR, D("0")) == D("0.00")


def test_linear_pays_from_the_first_unit() -> None:
    linear = calc.Terms(base_pay=D(0), rate=D("0.10"), target=D("10000"), kind=calc.LINEAR)
    assert calc.commission(linear, D("9000")) == D("900.00")
    assert calc.commission(linear, D("9999.99")) == D("1000.00")  # 999.999 → 1000.00


ACCELERATED = calc.Terms(
    base_pay=D(0),
    rate=D("0.10"),
    target=D("10000"),
    kind=calc.CLIFF,
    tiers=(calc.Tier(D("1"), D("0.15")), calc.Tier(D("1.5"), D("0.20"))),
)


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ("9999.99", "0.00"),  # one cent below target: the cliff
        ("10000.00", "1000.00"),  # exactly at target: nothing above it yet
        ("10000.01", "1000.00"),  # 10,000 × 10 % + 0.01 × 15 % = 1000.0015
        ("10000.10", "1000.02"),  # + 0.10 × 15 % = 0.015 → rounds half up
        ("14999.99", "1750.00"),  # 1000 + 4999.99 × 15 % = 1749.9985
        ("15000.00", "1750.00"),  # exactly at the second threshold
        ("15000.01", "1750.00"),  # + 0.01 × 20 % = 0.002
        ("20000.00", "2750.00"),  # 1000 + 750 + 5000 × 20 %
    ],
)
def test_accelerator_boundaries(revenue: str, expected: str) -> None:
    assert calc.commission(ACCELERATED, D(revenue)) == D(expected)


def test_linear_plan_with_accelerator_below_and_above_target() -> None:
    terms = calc.Terms(
        base_pay=D(0),
        rate=D("0.05"),
        target=D("10000"),
        kind=calc.LINEAR,
        tiers=(calc.Tier(D("1"), D("0.10")),),
    )
    assert calc.commission(terms, D("9999.99")) == D("500.00")
    assert calc.commission(terms, D("10000")) == D("500.00")
    assert calc.commission(terms, D("12000")) == D("700.00")


def test_terms_round_trip_and_tier_checks() -> None:
    assert calc.Terms.from_dict(ACCELERATED.as_dict()) == ACCELERATED
    with pytest.raises(ValueError, match="multiple of the target"):
        calc.parse_tiers([{"above": "0.5", "rate": "0.2"}])
    with pytest.raises(ValueError, match="between 0 and 1"):
        calc.parse_tiers([{"above": "1", "rate": "2"}])
    with pytest.raises(ValueError, match="same multiple"):
        calc.parse_tiers([{"above": "1", "rate": "0.2"}, {"above": "1.0", "rate": "0.3"}])
    with pytest.raises(ValueError, match="as numbers"):
        calc.parse_tiers([{"above": "x"}])
    assert (
        calc.parse_tiers([{"above": "2", "rate": "0.3"}, {"above": 1, "rate": "0.2"}])[0].above == 1
    )


@pytest.mark.parametrize(
    ("attainment", "median", "change", "expected"),
    [
        (F(12, 10), F(1), F(1, 10), calc.RISING),
        (F(1), F(1), F(0), calc.RISING),  # at the median, flat: top and not declining
        (F(12, 10), F(1), F(-1, 10), calc.FALLING),
        (F(8, 10), F(1), F(2, 10), calc.IMPROVING),
        (F(8, 10), F(1), F(-2, 10), calc.DECLINING),
        (None, F(1), F(0), None),
        (F(1), F(1), None, None),
    ],
)
def test_quadrant(attainment, median, change, expected) -> None:
    assert calc.quadrant(attainment, median, change) == expected


def test_golden_example_5_goal_planner() -> None:
    """SPEC golden example 5 (seed 000): 20,000 new ARR in a quarter from 100 prospects and 5
    meetings a week; double the revenue at the same rates: 200 prospects and 10 meetings."""
    weeks = 13
    doubled = calc.scale_activity(
        baseline_revenue=F(20000),
        baseline={"prospects": F(100), "meetings": F(5)},
        target=F(40000),
    )
    assert doubled == {"prospects": 200, "meetings": 10}
    # The same through the reverse funnel, with the rates the quarter measured: 1,300
    # prospects reached, 65 meetings, and (say) 26 proposals and 10 deals of 2,000.
    rates = calc.Rates(
        lead_to_conversation=F(260, 1300),
        conversation_to_meeting=F(65, 260),
        meeting_to_proposal=F(26, 65),
        proposal_to_won=F(10, 26),
    )
    base = calc.reverse_funnel(target=F(20000), deal_size=F(2000), rates=rates, weeks=weeks)
    assert base.per_week["leads"] == 100 and base.per_week["meetings"] == 5
    plan = calc.reverse_funnel(target=F(40000), deal_size=F(2000), rates=rates, weeks=weeks, reps=4)
    assert plan.per_week["leads"] == 200
    assert plan.per_week["meetings"] == 10
    assert plan.total["deals"] == 20
    assert plan.per_rep_week["leads"] == 50
    assert plan.rounded()["proposals"] == 4  # 52 ÷ 13


def test_reverse_funnel_refuses_impossible_inputs() -> None:
    rates = calc.Rates(F(1, 2), F(1, 2), F(1, 2), F(1, 2))
    with pytest.raises(ValueError):
        calc.reverse_funnel(target=F(1), deal_size=F(0), rates=rates, weeks=1)
    with pytest.raises(ValueError):
        calc.reverse_funnel(
            target=F(1), deal_size=F(1), rates=calc.Rates(F(0), F(1), F(1), F(1)), weeks=1
        )
    with pytest.raises(ValueError):
        calc.reverse_funnel(target=F(1), deal_size=F(1), rates=rates, weeks=0)
