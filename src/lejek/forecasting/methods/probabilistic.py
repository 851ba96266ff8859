"""Probabilistic forecast: learned win chances × observed close times → a range per month."""

import datetime
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from lejek.forecasting.methods import montecarlo
from lejek.forecasting.methods.common import OpenDeal, add_months, slot
from lejek.forecasting.methods.winmodel import CloseTimes, WinModel, age_bin, amount_bin


class DealChance(NamedTuple):
    deal_id: int
    chance: float  # of being won at all
    shares: list[float]  # of closing in each month of the horizon, if won (shared lists)
    amount: float = 0.0  # the deal's amount


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
    on_date: dict[datetime.date | None, list[float] | None] = {}
    in_stage: dict[datetime.date, int] = {}  # days in stage, by the day the stage was entered
    amounts: dict[Decimal, tuple[float, int]] = {}  # float amount and its band, by amount
    found: list[DealChance] = []
    append, make = found.append, tuple.__new__  # DealChance(...) runs a Python-level __new__
    for deal in deals:
        if deal.amount is None:
            continue
        days = in_stage.get(deal.stage_entered)
        if days is None:
            days = in_stage[deal.stage_entered] = max(0, (as_of - deal.stage_entered).days)
        band = amounts.get(deal.amount)
        if band is None:
            value = float(deal.amount)
            band = amounts[deal.amount] = (value, amount_bin(value))
        amount = band[0]
        key = (deal.stage_id, age_bin(days), band[1], deal.source, deal.owner_id)
        chance = predicted.get(key)
        if chance is None:
            prior = deal.probability / 100
            chance = model.predict(deal.stage_id, days, amount, deal.source, deal.owner_id, prior)
            predicted[key] = chance
        when = (deal.stage_id, days)
        if when in timing:
            shares = timing[when]
        else:
            shares = timing[when] = close_times.month_shares(deal.stage_id, days, bounds)
        if shares is None:  # no won deal ever waited this long: trust the expected date
            if deal.expected_close in on_date:
                shares = on_date[deal.expected_close]
            else:
                index = slot(start, horizon, deal.expected_close)
                if index is not None:
                    shares = [0.0] * horizon
                    shares[index] = 1.0
                on_date[deal.expected_close] = shares
            if shares is None:
                continue
        append(make(DealChance, (deal.id, chance, shares, amount)))
    return found


def probabilistic(
    deals: list[OpenDeal],
    found: list[DealChance],
    horizon: int,
    rng: random.Random,
    runs: int = montecarlo.SIMULATIONS,
) -> list[montecarlo.Range]:
    items = [(item.amount, item.chance, item.shares) for item in found]
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
