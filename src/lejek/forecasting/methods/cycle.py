"""Cycle age: an open deal's chance is its age ÷ the typical cycle of similar won deals.

"Similar" means won in the same pipeline (all pipelines when that one has too few
won deals); "typical" is the median cycle. The chance is capped below 100 %: a deal
older than the typical cycle is not certain, it is late. The deal counts in the month
it is expected to close, or, without a date, in the month its typical cycle ends.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from lejek.forecasting.methods.common import OpenDeal, Slots, WonDeal, empty, money

CAP = Fraction(95, 100)
MIN_SIMILAR = 5


def cycle_probability(
    age: int | Fraction, typical: int | Fraction, cap: Fraction = CAP
) -> Fraction:
    """SPEC golden example 3: two months old where won deals take four → 50 %."""
    if typical <= 0:
        return Fraction(0)
    return min(Fraction(age) / Fraction(typical), cap)


def typical_cycles(won: Iterable[WonDeal]) -> tuple[dict[int, int], int | None]:
    """Median cycle in days per pipeline (pipelines with enough won deals) and overall."""
    by_pipeline: dict[int, list[int]] = defaultdict(list)
    every: list[int] = []
    for deal in won:
        by_pipeline[deal.pipeline_id].append(deal.cycle_days)
        every.append(deal.cycle_days)
    typical = {
        pipeline_id: round(statistics.median(days))
        for pipeline_id, days in by_pipeline.items()
        if len(days) >= MIN_SIMILAR
    }
    return typical, (round(statistics.median(every)) if every else None)


def cycle_age(
    deals: Iterable[OpenDeal],
    won: Iterable[WonDeal],
    as_of: datetime.date,
    start: datetime.date,
    horizon: int,
    cap: Fraction = CAP,
) -> list[Decimal]:
    by_pipeline, overall = typical_cycles(won)
    cap_ratio = Decimal(cap.numerator) / Decimal(cap.denominator)
    # Σ amount × min(age, cap × typical) per (month, typical): one exact division per group.
    sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    slots = Slots(start, horizon)
    weights: dict[tuple[datetime.date, int], Decimal] = {}  # min(age, cap × typical)
    for deal in deals:
        typical = by_pipeline.get(deal.pipeline_id, overall)
        if not typical or deal.amount is None:
            continue
        close = deal.expected_close or deal.created + datetime.timedelta(days=typical)
        index = slots[close]
        if index is None:
            continue
        weight = weights.get((deal.created, typical))
        if weight is None:
            age = max(0, (as_of - deal.created).days)
            weight = weights[(deal.created, typical)] = min(Decimal(age), cap_ratio * typical)
        sums[(index, typical)] += deal.amount * weight
    totals = [Fraction(0)] * horizon
    for (index, typical), total in sums.items():
        totals[index] += Fraction(total) / typical
    result = empty(horizon)
    for index, exact in enumerate(totals):
        result[index] = money(Decimal(exact.numerator) / Decimal(exact.denominator))
    return result
