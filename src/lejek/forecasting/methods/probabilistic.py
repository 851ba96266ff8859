"""Probabilistic forecast: learned win chances × observed close times → a range per month."""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from lejek.forecasting.methods import montecarlo
from lejek.forecasting.methods.common import OpenDeal, add_months, slot
from lejek.forecasting.methods.winmodel import CloseTimes, WinModel, age_bin, amount_bin


@dataclass(frozen=True)
class DealChance:
    deal_id: int
    chance: float  # of being won at all
    shares: list[float]  # of closing in each month of the horizon, if won


def edges(as_of: datetime.date, start: datetime.date, horizon: int) -> list[int]:
    """Day offsets from `as_of` bounding each month; the first month starts at `as_of`."""
    return [0] + [(add_months(start, k) - as_of).days for k in range(1, horizon + 1)]


def chances(
    deals: Iterable[OpenDeal],
    model: WinModel,
    close_times: CloseTimes,
    as_of: datetime.date,
    start: datetime.date,
    horizon: int,
) -> list[DealChance]:
    bounds = edges(as_of, start, horizon)
    predicted: dict[tuple[object, ...], float] = {}
    timing: dict[tuple[int, int], list[float] | None] = {}
    found: list[DealChance] = []
    for deal in deals:
        if deal.amount is None:
            continue
        days = max(0, (as_of - deal.stage_entered).days)
        amount = float(deal.amount)
        key = (deal.stage_id, age_bin(days), amount_bin(amount), deal.source, deal.owner_id)
        chance = predicted.get(key)
        if chance is None:
            prior = deal.probability / 100
            chance = model.predict(deal.stage_id, days, amount, deal.source, deal.owner_id, prior)
            predicted[key] = chance
        if (deal.stage_id, days) not in timing:
            timing[(deal.stage_id, days)] = close_times.month_shares(deal.stage_id, days, bounds)
        shares = timing[(deal.stage_id, days)]
        if shares is None:  # no won deal ever waited this long: trust the expected date
            index = slot(start, horizon, deal.expected_close)
            if index is None:
                continue
            shares = [0.0] * horizon
            shares[index] = 1.0
        found.append(DealChance(deal.id, chance, shares))
    return found


def probabilistic(
    deals: list[OpenDeal],
    found: list[DealChance],
    horizon: int,
    rng: random.Random,
    runs: int = montecarlo.SIMULATIONS,
) -> list[montecarlo.Range]:
    amounts = {deal.id: float(deal.amount) for deal in deals if deal.amount is not None}
    items = [(amounts[item.deal_id], item.chance, item.shares) for item in found]
    return montecarlo.simulate_months(items, horizon, rng, runs)


def expected(found: list[DealChance], deals: list[OpenDeal], horizon: int) -> list[Decimal]:
    """The mean of the range: Σ amount × chance × share, per month (no simulation)."""
    amounts = {deal.id: deal.amount for deal in deals if deal.amount is not None}
    totals = [0.0] * horizon
    for item in found:
        amount = float(amounts[item.deal_id] or 0)
        for index, share in enumerate(item.shares):
            totals[index] += amount * item.chance * share
    return [Decimal(repr(round(total, 2))) for total in totals]
