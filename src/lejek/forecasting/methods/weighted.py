"""Stage-weighted: amount × stage probability of open deals expected to close in the month."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from lejek.forecasting.methods.common import ZERO, OpenDeal, Slots, empty, money


def deal_value(amount: Decimal, probability: int) -> Decimal:
    """SPEC golden example 1: 1,000 at 60 % is worth 600."""
    return money(amount * probability / 100)


def stage_weighted(deals: Iterable[OpenDeal], start: datetime.date, horizon: int) -> list[Decimal]:
    # Σ amount per (month, probability) first: one multiplication per group, not per deal.
    sums: dict[tuple[int, int], Decimal] = {}
    slots = Slots(start, horizon)
    for deal in deals:
        index = slots[deal.expected_close]
        if index is None or deal.amount is None:
            continue
        key = (index, deal.probability)
        sums[key] = sums.get(key, ZERO) + deal.amount
    totals = empty(horizon)
    for (index, probability), amount in sums.items():
        totals[index] += amount * probability
    return [money(total / 100) for total in totals]
