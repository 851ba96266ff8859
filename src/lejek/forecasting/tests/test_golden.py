"""SPEC golden examples 1, 2 and 3, to the cent."""

import datetime
from decimal import Decimal
from fractions import Fraction

from lejek.forecasting.methods.common import OpenDeal, WonDeal
from lejek.forecasting.methods.cycle import cycle_age, cycle_probability
from lejek.forecasting.methods.runrate import RunRateInputs, run_rate
from lejek.forecasting.methods.weighted import deal_value, stage_weighted

JAN = datetime.date(2025, 1, 1)


def open_deal(**fields: object) -> OpenDeal:
    values: dict[str, object] = {
        "id": 1,
        "owner_id": 1,
        "pipeline_id": 1,
        "stage_id": 1,
        "probability": 60,
        "amount": Decimal("1000.00"),
        "created": datetime.date(2024, 11, 1),
        "stage_entered": datetime.date(2024, 12, 1),
        "expected_close": datetime.date(2025, 1, 20),
    }
    values.update(fields)
    return OpenDeal(**values)  # type: ignore[arg-type]


def test_golden_1_stage_weighted_trial_deal_is_worth_600() -> None:
    assert deal_value(Decimal("1000"), 60) == Decimal("600.00")
    assert stage_weighted([open_deal()], JAN, 3) == [
        Decimal("600.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]


def test_golden_2_run_rate_is_1_075_000() -> None:
    # Seed 002: 1,000,000 average + 5 % growth (50,000) + 25,000 from five new reps, whose
    # deals the seed counts as five deals of 5,000 between them (one deal per new rep).
    inputs = RunRateInputs(
        average_revenue=Decimal("1000000"),
        growth_rate=Decimal("0.05"),
        new_reps=5,
        ramp_deals=Decimal("1"),
        average_deal_value=Decimal("5000"),
    )
    assert inputs.growth == Decimal("50000.00")
    assert inputs.new_rep_revenue == Decimal("25000")
    assert run_rate(inputs, 1) == [Decimal("1075000.00")]
    # Later months keep growing at the same monthly rate.
    assert run_rate(inputs, 2)[1] == Decimal("1125000.00")


def test_golden_3_cycle_age_two_of_four_months_is_50_percent() -> None:
    assert cycle_probability(2, 4) == Fraction(1, 2)
    # The same in days inside the method: a deal 60 days old, won deals take 120.
    won = [
        WonDeal(owner_id=1, pipeline_id=1, closed=JAN, amount=Decimal(1), cycle_days=120)
        for _ in range(5)
    ]
    as_of = datetime.date(2025, 1, 1)
    deal = open_deal(created=as_of - datetime.timedelta(days=60))
    assert cycle_age([deal], won, as_of, JAN, 2) == [Decimal("500.00"), Decimal("0.00")]


def test_cycle_age_is_capped_below_certainty() -> None:
    assert cycle_probability(10, 4) == Fraction(95, 100)
    assert cycle_probability(1, 0) == 0
