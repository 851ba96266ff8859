"""The rows every method reads, and how a date falls into a month of the horizon."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_HORIZON = 9


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_index(start: datetime.date, day: datetime.date) -> int:
    """Months from `start` (a first day of a month) to the month of `day`."""
    return (day.year - start.year) * 12 + day.month - start.month


def slot(start: datetime.date, horizon: int, day: datetime.date | None) -> int | None:
    """The horizon month a deal expected on `day` falls in.

    A date already past (a slipped deal still open) counts in the first month: the deal
    is expected now. None: no date, or beyond the horizon.
    """
    if day is None:
        return None
    index = max(0, month_index(start, day))
    return index if index < horizon else None


class OpenDeal(NamedTuple):
    """An open deal as the methods see it; money already in the reporting currency.

    A named tuple rather than a dataclass: a forecast reads 100,000 of them, and a tuple
    is built and read several times faster.
    """

    id: int
    owner_id: int
    pipeline_id: int
    stage_id: int
    probability: int  # the stage's probability, 0–100
    amount: Decimal | None
    created: datetime.date
    stage_entered: datetime.date
    expected_close: datetime.date | None
    category: str = "pipeline"
    committed_amount: Decimal | None = None
    committed_date: datetime.date | None = None
    source: str = "other"


class Slots(dict[datetime.date | None, int | None]):
    """`slot` for many deals: each distinct date is placed once."""

    def __init__(self, start: datetime.date, horizon: int) -> None:
        super().__init__()
        self.start, self.horizon = start, horizon

    def __missing__(self, day: datetime.date | None) -> int | None:
        found = self[day] = slot(self.start, self.horizon, day)
        return found


@dataclass(frozen=True, slots=True)
class WonDeal:
    """A won deal: when it was won, for how much (reporting currency), how long it took."""

    owner_id: int
    pipeline_id: int
    closed: datetime.date
    amount: Decimal
    cycle_days: int


def empty(horizon: int) -> list[Decimal]:
    return [ZERO] * horizon
