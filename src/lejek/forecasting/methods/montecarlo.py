"""Monte Carlo range of each month's won revenue: P10, P50, P90.

Each deal is won at most once, in month m with chance p × s_m (p: its win chance,
s_m: the share of its wins that close in month m); deals are independent. The
range of a month only depends on that month's marginal, so each month is simulated
on its own. Simulating a deal costs one binomial draw (in how many of the runs it is
won) and one sample of that many runs, so the cost follows the expected number of
wins, not deals × runs.

When there are many deals, the largest (by variance) are simulated one by one and
the rest, whose month sum is close to normal by the central limit theorem, is drawn
as one normal variable per run with the exact mean and variance of that sum.
"""

import heapq
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lejek.forecasting.methods.common import money

SIMULATIONS = 10_000
EXACT_DEALS = 100  # up to this many deals, every one is simulated one by one
LARGEST = 40  # beyond that, the largest ones are, and the rest is summed as a normal

Deal = tuple[float, float, Sequence[float]]  # amount, win chance, share of wins per month


@dataclass(frozen=True)
class Range:
    p10: Decimal
    p50: Decimal
    p90: Decimal
    mean: Decimal


def _as_money(value: float) -> Decimal:
    return money(Decimal(repr(value)))


def simulate_months(
    deals: Sequence[Deal], horizon: int, rng: random.Random, runs: int = SIMULATIONS
) -> list[Range]:
    live = [d for d in deals if d[0] > 0 and d[1] > 0]
    exact: list[Deal] = live
    rest: list[Deal] = []
    if len(live) > EXACT_DEALS:
        exact = heapq.nlargest(LARGEST, live, key=lambda d: d[0] * d[0] * d[1] * (1 - d[1]))
        chosen = {id(d) for d in exact}
        rest = [d for d in live if id(d) not in chosen]
    # Deals sharing a win chance and a timing (the same `shares` list) add up: only Σ amount
    # and Σ amount² of each such group enter the moments, so the per-month work follows the
    # number of groups, not of deals.
    groups: dict[tuple[float, int], list[Any]] = {}
    for amount, chance, shares in rest:
        key = (chance, id(shares))
        group = groups.get(key)
        if group is None:
            groups[key] = [chance, shares, amount, amount * amount]
        else:
            group[2] += amount
            group[3] += amount * amount
    means, variances = [0.0] * horizon, [0.0] * horizon
    expected = [0.0] * horizon
    for chance, shares, total, squares in groups.values():
        for month, share in enumerate(shares):
            if share:
                q = chance * share
                means[month] += total * q
                variances[month] += squares * q * (1 - q)
    for month in range(horizon):
        expected[month] = means[month]
    for amount, chance, shares in exact:
        for month, share in enumerate(shares):
            expected[month] += amount * chance * share
    population = range(runs)
    found: list[Range] = []
    for month in range(horizon):
        totals = [0.0] * runs
        for amount, chance, shares in exact:
            q = chance * shares[month]
            if q <= 0:
                continue
            wins = runs if q >= 1 else rng.binomialvariate(runs, q)
            for run in rng.sample(population, wins):
                totals[run] += amount
        mean, sd = max(0.0, means[month]), math.sqrt(max(0.0, variances[month]))
        if mean or sd:
            gauss = rng.gauss
            totals = [t + max(0.0, gauss(mean, sd)) for t in totals]
        if runs < 2:
            value = _as_money(expected[month])
            found.append(Range(value, value, value, value))
            continue
        deciles = statistics.quantiles(totals, n=10, method="inclusive")
        found.append(
            Range(
                p10=_as_money(deciles[0]),
                p50=_as_money(deciles[4]),
                p90=_as_money(deciles[8]),
                mean=_as_money(expected[month]),
            )
        )
    return found


def simulate(
    items: list[tuple[float, float]], rng: random.Random, runs: int = SIMULATIONS
) -> Range:
    """(amount, chance) per deal, all in one month → the range of their won total."""
    return simulate_months([(a, p, (1.0,)) for a, p in items], 1, rng, runs)[0]
