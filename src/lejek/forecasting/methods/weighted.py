"""Stage-weighted: amount × stage probability of open deals expected to close in the month."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from lejek.forecasting.methods.common import OpenDeal, empty, money, slot


def deal_value(amount: Decimal, probability: int) -> Decimal:
    """SPEC golden example 1: 1,000 at 60 % is worth 600."""
    return money(amount * probability / 100)


def stage_weighted(deals: Iterable[OpenDeal], start: datetime.date, horizon: int) -> list[Decimal]:
    totals = empty(horizon)
    for deal in deals:
        index = slot(start, horizon, deal.expected_close)
        if index is None or deal.amount is None:
            continue
        totals[index] += deal.amount * deal.probability
    return [money(total / 100) for total in totals]
