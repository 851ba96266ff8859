"""The methods on small hand-made pipelines: placement in months, categories, accuracy."""

import datetime
import random
from decimal import Decimal
from fractions import Fraction

from lejek.forecasting.accuracy import accuracy
from lejek.forecasting.methods import montecarlo
from lejek.forecasting.methods.commit import rep_commit
from lejek.forecasting.methods.common import slot
from lejek.forecasting.methods.weighted import stage_weighted
from lejek.forecasting.tests.test_golden import JAN, open_deal


def test_slot_places_slipped_deals_now_and_drops_far_ones() -> None:
    assert slot(JAN, 3, datetime.date(2024, 12, 5)) == 0
    assert slot(JAN, 3, datetime.date(2025, 3, 31)) == 2
    assert slot(JAN, 3, datetime.date(2025, 4, 1)) is None
    assert slot(JAN, 3, None) is None


def test_stage_weighted_skips_deals_without_amount_or_date() -> None:
    deals = [
        open_deal(id=1, amount=Decimal("333.33"), probability=10),
        open_deal(id=2, amount=None),
        open_deal(id=3, expected_close=None),
        open_deal(id=4, expected_close=datetime.date(2025, 2, 3), probability=25),
    ]
    assert stage_weighted(deals, JAN, 2) == [Decimal("33.33"), Decimal("250.00")]


def test_rep_commit_categories_and_committed_amounts() -> None:
    deals = [
        open_deal(id=1, category="commit", committed_amount=Decimal("800")),
        open_deal(id=2, category="best_case"),
        open_deal(id=3, category="pipeline"),
        open_deal(id=4, category="omitted"),
        open_deal(id=5, category="commit", committed_date=datetime.date(2025, 2, 1)),
    ]
    found = rep_commit(deals, JAN, 2)
    assert found.commit == [Decimal("800.00"), Decimal("1000.00")]
    assert found.best_case == [Decimal("1800.00"), Decimal("1000.00")]
    assert found.pipeline == [Decimal("2800.00"), Decimal("1000.00")]


def test_accuracy_definition() -> None:
    assert accuracy(Decimal("90"), Decimal("100")) == Fraction(9, 10)
    assert accuracy(Decimal("110"), Decimal("100")) == Fraction(9, 10)
    assert accuracy(Decimal("300"), Decimal("100")) == -1
    assert accuracy(Decimal("5"), Decimal("0")) is None


def test_simulation_is_seeded_and_ordered() -> None:
    items = [(1000.0, 0.5)] * 10
    first = montecarlo.simulate(list(items), random.Random(7))
    again = montecarlo.simulate(list(items), random.Random(7))
    assert first == again
    assert first.p10 <= first.p50 <= first.p90
    assert first.mean == Decimal("5000.00")
    # Ten coin flips of 1,000: the deciles of Binomial(10, ½) × 1,000.
    assert (first.p10, first.p50, first.p90) == (
        Decimal("3000.00"),
        Decimal("5000.00"),
        Decimal("7000.00"),
    )


def test_simulation_normal_part_for_many_deals_keeps_the_mean() -> None:
    items = [(100.0 + i % 7, 0.3) for i in range(5000)]
    found = montecarlo.simulate(items, random.Random(1), runs=2000)
    exact_mean = sum(a * p for a, p in items)
    assert abs(float(found.p50) - exact_mean) / exact_mean < 0.01
    assert found.p10 < found.p50 < found.p90
