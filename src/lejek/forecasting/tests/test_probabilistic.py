"""The probabilistic method on synthetic history whose true win chances are known.

True model: a stage sets the base chance (20 %, 50 %, 80 %); web leads have twice
the odds. Amount band, owner and time in stage have no effect. The model is fitted
on 6,000 closed stays, then 200 months of 20 open deals each are forecast and
played out with the true chances.

Acceptance: the P10–P90 range should hold the actual total in 80 % of months. With
200 months the share has a standard error of √(0.8 × 0.2 / 200) ≈ 2.8 points; the
test accepts 72–88 % (about three standard errors). The calibration error of the
predicted chances on the played-out deals must stay under 5 points.
"""

import datetime
import random
from decimal import Decimal

from lejek.forecasting.methods.common import OpenDeal
from lejek.forecasting.methods.probabilistic import chances, probabilistic
from lejek.forecasting.methods.winmodel import (
    CloseTimes,
    Counts,
    age_bin,
    amount_bin,
    calibration,
    model_calibration,
    train,
)

STAGES = {1: 0.2, 2: 0.5, 3: 0.8}
SOURCES = ("web", "referral", "event")
AS_OF = datetime.date(2025, 1, 1)


def true_chance(stage_id: int, source: str) -> float:
    p = STAGES[stage_id]
    odds = p / (1 - p) * (2 if source == "web" else 1)
    return odds / (1 + odds)


def synthetic_history(rng: random.Random, stays: int) -> Counts:
    counts = Counts()
    for _ in range(stays):
        stage_id, source = rng.choice(list(STAGES)), rng.choice(SOURCES)
        won = rng.random() < true_chance(stage_id, source)
        days, amount = rng.randrange(0, 120), rng.uniform(500, 50_000)
        cell = (stage_id, age_bin(days), amount_bin(amount), source, rng.randrange(1, 6))
        counts.add(cell, won)
    return counts


def test_range_covers_about_80_percent_and_chances_are_calibrated() -> None:
    rng = random.Random(20250101)
    counts = synthetic_history(rng, 6000)
    model = train(counts, priors={1: 0.1, 2: 0.4, 3: 0.7})
    close_times = CloseTimes({s: [5] for s in STAGES})  # every win lands in the first month
    covered, months = 0, 200
    pairs: list[tuple[float, int, int]] = []
    for month in range(months):
        deals = []
        for i in range(20):
            stage_id, source = rng.choice(list(STAGES)), rng.choice(SOURCES)
            deals.append(
                OpenDeal(
                    id=month * 100 + i,
                    owner_id=rng.randrange(1, 6),
                    pipeline_id=1,
                    stage_id=stage_id,
                    probability=0,
                    amount=Decimal(rng.randrange(1_000, 20_000)),
                    created=AS_OF,
                    stage_entered=AS_OF,
                    expected_close=None,
                    source=source,
                )
            )
        found = chances(deals, model, close_times, AS_OF, AS_OF, 1)
        (forecast,) = probabilistic(deals, found, 1, rng, runs=1000)
        actual = Decimal(0)
        for deal, item in zip(deals, found, strict=True):
            won = rng.random() < true_chance(deal.stage_id, deal.source)
            actual += deal.amount or 0 if won else 0
            pairs.append((item.chance, 1, int(won)))
        covered += forecast.p10 <= actual <= forecast.p90
    coverage = covered / months
    _rows, error = calibration(pairs)
    print(f"P10–P90 coverage {coverage:.1%}, calibration error {error:.3f}")
    assert 0.72 <= coverage <= 0.88
    assert error is not None and error < 0.05


def test_model_learns_the_true_effects() -> None:
    counts = synthetic_history(random.Random(3), 6000)
    model = train(counts)
    assert abs(model.predict(1, 10, 2000, "event", 1) - 0.2) < 0.05
    assert abs(model.predict(3, 10, 2000, "web", 2) - true_chance(3, "web")) < 0.05
    assert model.factors["source"]["web"] > 1.1 > 1 > model.factors["source"]["event"]
    rows, error = model_calibration(model, counts)
    assert sum(r.observations for r in rows) == 6000
    assert error is not None and error < 0.03


def test_priors_fill_stages_without_history() -> None:
    model = train(Counts(), priors={9: 0.4})
    assert abs(model.predict(9, 0, None, "web", 1, prior=0.4) - 0.4) < 1e-9


def test_close_times_split_a_win_over_months() -> None:
    times = CloseTimes({1: [10, 20, 40, 70]})
    # 31 days in January from the 1st, then February's 28.
    assert times.month_shares(1, 0, [0, 31, 59]) == [0.5, 0.25]
    # A deal 30 days in the stage compares only with stays of 30+ days.
    assert times.month_shares(1, 30, [0, 31, 59]) == [0.5, 0.5]
    assert times.month_shares(1, 100, [0, 31]) is None


def test_close_times_compare_with_deals_that_stayed_as_long() -> None:
    """Won deals that left the stage within days are faster than one still there after 10:
    only stays of at least 10 days (on the grid) are compared."""
    fast = [(2, 20)] * 3  # two days in the stage, won 20 days after entering it
    slow = [(45, 50)]  # 45 days in the stage, won after 50
    times = CloseTimes({1: fast + slow})
    assert times.month_shares(1, 0, [0, 31, 59]) == [0.75, 0.25]
    # Ten days in and still there: like the slow deal, not the fast ones.
    assert times.month_shares(1, 10, [0, 31, 59]) == [0.0, 1.0]
    # Twelve days compare on the grid's 10: the same slow stay.
    assert times.comparable(1, 12) == [50]
