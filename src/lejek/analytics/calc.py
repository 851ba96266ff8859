"""Pure metric arithmetic: exact fractions in, exact fractions (or None) out.

A metric whose denominator is zero is not available: None, never 0 and never an
error (SPEC "Metric definitions"). Everything stays a `Fraction` until it is
shown, so sums of money and ratios of counts are exact; rounding happens once,
at the edge, in `decimal_places` and `money`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = int | Fraction
SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365


def ratio(numerator: Number, denominator: Number) -> Fraction | None:
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


def mean(total: Number, count: int) -> Fraction | None:
    return ratio(total, count)


def median(values: Sequence[Number]) -> Fraction | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[mid])
    return (Fraction(ordered[mid - 1]) + Fraction(ordered[mid])) / 2


def median_of_sorted(values: Sequence[Number]) -> Fraction | None:
    if not values:
        return None
    mid = len(values) // 2
    if len(values) % 2:
        return Fraction(values[mid])
    return (Fraction(values[mid - 1]) + Fraction(values[mid])) / 2


def days(seconds: Number | None) -> Fraction | None:
    return None if seconds is None else Fraction(seconds) / SECONDS_PER_DAY


def sales_velocity(
    open_opportunities: int,
    average_deal_size: Fraction | None,
    win_rate: Fraction | None,
    average_cycle_days: Fraction | None,
) -> Fraction | None:
    """(open opportunities × average deal size × win rate) ÷ average sales cycle, per day."""
    if average_deal_size is None or win_rate is None or not average_cycle_days:
        return None
    return open_opportunities * average_deal_size * win_rate / average_cycle_days


def change(current: Fraction | int | None, previous: Fraction | int | None) -> Fraction | None:
    """Relative change against the previous period; None when there is nothing to compare."""
    if current is None or previous is None or previous == 0:
        return None
    return (Fraction(current) - Fraction(previous)) / abs(Fraction(previous))


@dataclass(frozen=True)
class Customers:
    """CLV inputs: revenue of customer accounts, how many, and their lifetimes in days."""

    revenue: Fraction
    customers: int
    lifetime_days: int

    @property
    def mean_lifetime_years(self) -> Fraction | None:
        value = ratio(self.lifetime_days, self.customers)
        return None if value is None else value / DAYS_PER_YEAR

    @property
    def revenue_per_customer_year(self) -> Fraction | None:
        years = ratio(self.lifetime_days, DAYS_PER_YEAR)
        return None if not years else self.revenue / years

    @property
    def clv(self) -> Fraction | None:
        """Mean revenue per account per year × mean lifetime in years."""
        per_year, lifetime = self.revenue_per_customer_year, self.mean_lifetime_years
        if per_year is None or lifetime is None:
            return None
        return per_year * lifetime


def lifetime_days(first_day: int, last_day: int) -> int:
    """A customer's lifetime: first to last won deal, counted as at least one year."""
    return max(DAYS_PER_YEAR, last_day - first_day)


@dataclass(frozen=True)
class FunnelStep:
    stage_id: int
    reached: int
    won: int
    next_reached: int | None  # None for the last stage

    @property
    def conversion(self) -> Fraction | None:
        """Deals that reached the next stage ÷ deals that reached this one."""
        return None if self.next_reached is None else ratio(self.next_reached, self.reached)

    @property
    def drop_off(self) -> int | None:
        return None if self.next_reached is None else self.reached - self.next_reached

    @property
    def close_rate(self) -> Fraction | None:
        return ratio(self.won, self.reached)


def funnel(
    stage_ids: Sequence[int], furthest: dict[int, int], won_furthest: dict[int, int]
) -> list[FunnelStep]:
    """Reached counts from furthest-stage counts: a deal reached its furthest stage and all before.

    `stage_ids` are the active stages in order; `furthest[s]` counts deals whose furthest
    stage is `s` (`won_furthest` the won ones among them).
    """
    reached: list[int] = []
    won: list[int] = []
    running = running_won = 0
    for stage_id in reversed(stage_ids):
        running += furthest.get(stage_id, 0)
        running_won += won_furthest.get(stage_id, 0)
        reached.append(running)
        won.append(running_won)
    reached.reverse()
    won.reverse()
    return [
        FunnelStep(
            stage_id=stage_id,
            reached=reached[i],
            won=won[i],
            next_reached=reached[i + 1] if i + 1 < len(stage_ids) else None,
        )
        for i, stage_id in enumerate(stage_ids)
    ]


def total(values: Iterable[Fraction | int]) -> Fraction:
    return sum((Fraction(v) for v in values), Fraction(0))


def decimal_places(value: Fraction | None, places: int = 6) -> Decimal | None:
    """A ratio as a Decimal rounded half-even at `places` (the API's exact-ratio strings)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_EVEN
    )


def money(value: Fraction | None) -> Decimal | None:
    """Money to the cent, half up (as accountants round)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
