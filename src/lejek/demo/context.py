"""What every demo builder shares: the clock, the sellers and the pipelines.

All plain data (ids, not model instances), so a worker process can build rows too.

Times are drawn as whole days relative to the day of `now` plus a time of day in
working hours, so a deal's moves are strictly increasing when each move is at
least a day later, and everything on a past day is before `now`.
"""

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

HISTORY_DAYS = 730  # two years of history


@dataclass(frozen=True)
class Clock:
    now: datetime
    midnight: datetime  # start of the day `now` falls on

    @classmethod
    def at(cls, now: datetime) -> "Clock":
        # Everything is computed in UTC so the same `now` gives the same rows in any zone.
        now = now.astimezone(UTC)
        return cls(now=now, midnight=now.replace(hour=0, minute=0, second=0, microsecond=0))

    def moment(self, rng: random.Random, day: int) -> datetime:
        """A time in working hours (07:00–17:00) on `day` (0 = today, -1 = yesterday)."""
        # random() rather than randint(): this runs several times per row and randint is slow.
        return self.midnight + timedelta(days=day, minutes=420 + int(rng.random() * 600))

    def date(self, day: int) -> date:
        return (self.midnight + timedelta(days=day)).date()


@dataclass(frozen=True)
class Seller:
    """A user who owns records; `since` is the first day (relative) they sold."""

    id: int
    team_id: int | None
    since: int = -HISTORY_DAYS - 60


@dataclass(frozen=True)
class StageSpec:
    id: int
    probability: int
    rotting_days: int | None


@dataclass
class PipelineSpec:
    id: int
    stages: list[StageSpec]
    weight: int
    stage_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stage_ids = [stage.id for stage in self.stages]


@dataclass
class Context:
    clock: Clock
    sellers: list[Seller]
    pipelines: list[PipelineSpec]
    pipeline_cum_weights: list[int] = field(default_factory=list)
    by_user: dict[int, Seller] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pipeline_cum_weights = list(itertools.accumulate(s.weight for s in self.pipelines))
        self.by_user = {seller.id: seller for seller in self.sellers}

    def seller_for(self, rng: random.Random, day: int, preferred: Seller | None = None) -> Seller:
        """The preferred seller if selling on `day`, else a teammate (or anyone) who was."""
        if preferred is not None and preferred.since <= day:
            return preferred
        team_id = preferred.team_id if preferred is not None else None
        active = [s for s in self.sellers if s.since <= day and s.team_id == team_id]
        if not active:
            active = [s for s in self.sellers if s.since <= day] or self.sellers
        return rng.choice(active)


def lognormal(rng: random.Random, median: float, sigma: float = 0.7) -> int:
    """A whole number (at least one) with a long right tail around `median`: days, minutes."""
    return max(1, round(median * math.exp(rng.gauss(0.0, sigma))))


class Weighted:
    """A weighted choice among keys, with the cumulative weights computed once."""

    def __init__(self, choices: dict[str, int]) -> None:
        self.keys = tuple(choices)
        self.cum_weights = tuple(itertools.accumulate(choices.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.keys, cum_weights=self.cum_weights)[0]
