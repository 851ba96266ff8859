"""Win probability learned from the team's own closed deals.

An observation is one stay of a closed deal in one stage: the stage, how long the
deal stayed, its amount band, source and owner, and whether the deal was won in
the end. For an open deal that has been `d` days in its stage, the base chance is
the win rate of stays in that stage that lasted at least as long (the deals that
"survived" as long as this one), shrunk towards the stage's own rate, which is
shrunk towards the probability configured on the stage. Amount band, source and
owner then each multiply the odds by how much more (or less) often their deals
won than the base chance predicted, again shrunk towards "no effect".
Every number is a count ratio a user can check; `calibration` shows how the
predictions compare with what happened.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

AGE_BINS = (0, 7, 30, 90)  # days in stage, lower bounds
AMOUNT_BINS = (0, 1_000, 5_000, 20_000, 100_000)  # lower bounds, in the deal's currency
SHRINK = 20.0  # pseudo-observations pulling a rate towards its parent
MIN_P, MAX_P = 0.001, 0.999
FEATURES = ("amount", "source", "owner")
PASSES = 3

# (stage_id, age bin, amount bin, source, owner_id)
Cell = tuple[int, int, int, str, int]


def age_bin(days: int) -> int:
    return bisect.bisect_right(AGE_BINS, max(0, days)) - 1


def amount_bin(amount: float | None) -> int:
    return bisect.bisect_right(AMOUNT_BINS, max(0.0, amount or 0.0)) - 1


@dataclass
class Counts:
    """Closed stays per cell: [observations, won]. Additive, so it can grow month by month."""

    cells: dict[Cell, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, cell: Cell, won: bool, count: int = 1) -> None:
        entry = self.cells[cell]
        entry[0] += count
        entry[1] += count if won else 0

    def add_counts(self, cell: Cell, total: int, won: int) -> None:
        entry = self.cells[cell]
        entry[0] += total
        entry[1] += won

    @property
    def total(self) -> int:
        return sum(n for n, _ in self.cells.values())


def _shrunk(won: float, total: float, prior: float, weight: float = SHRINK) -> float:
    return (won + weight * prior) / (total + weight)


def _odds(p: float) -> float:
    p = min(MAX_P, max(MIN_P, p))
    return p / (1 - p)


def _prob(odds: float) -> float:
    return min(MAX_P, max(MIN_P, odds / (1 + odds)))


@dataclass
class WinModel:
    base: dict[tuple[int, int], float]  # (stage, age bin) → chance for a deal at least that old
    stage_rate: dict[int, float]
    overall: float
    factors: dict[str, dict[object, float]]  # feature → value → odds multiplier
    observations: int

    def base_rate(self, stage_id: int, days_in_stage: int, prior: float | None = None) -> float:
        found = self.base.get((stage_id, age_bin(days_in_stage)))
        if found is not None:
            return found
        rate = self.stage_rate.get(stage_id)
        if rate is not None:
            return rate
        return prior if prior is not None else self.overall

    def predict(
        self,
        stage_id: int,
        days_in_stage: int,
        amount: float | None,
        source: str,
        owner_id: int,
        prior: float | None = None,
    ) -> float:
        odds = _odds(self.base_rate(stage_id, days_in_stage, prior))
        for name, value in zip(FEATURES, (amount_bin(amount), source, owner_id), strict=True):
            odds *= self.factors[name].get(value, 1.0)
        return _prob(odds)

    def predict_cell(self, cell: Cell) -> float:
        stage_id, age, amount, source, owner_id = cell
        odds = _odds(self.base.get((stage_id, age), self.overall))
        for name, value in zip(FEATURES, (amount, source, owner_id), strict=True):
            odds *= self.factors[name].get(value, 1.0)
        return _prob(odds)


def train(counts: Counts, priors: dict[int, float] | None = None) -> WinModel:
    """Fit the model to closed stays; `priors` are the stages' configured probabilities."""
    priors = priors or {}
    total = won = 0
    stage_n: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    stage_age: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (stage_id, age, _amount, _source, _owner), (n, w) in counts.cells.items():
        total, won = total + n, won + w
        stage_n[stage_id][0] += n
        stage_n[stage_id][1] += w
        stage_age[(stage_id, age)][0] += n
        stage_age[(stage_id, age)][1] += w
    overall = won / total if total else 0.0
    stage_rate = {s: _shrunk(w, n, priors.get(s, overall)) for s, (n, w) in stage_n.items()}
    base: dict[tuple[int, int], float] = {}
    for stage_id, rate in stage_rate.items():
        n_at_least = w_at_least = 0
        for age in reversed(range(len(AGE_BINS))):  # stays lasting at least this long
            n, w = stage_age.get((stage_id, age), (0, 0))
            n_at_least, w_at_least = n_at_least + n, w_at_least + w
            base[(stage_id, age)] = _shrunk(w_at_least, n_at_least, rate)
    model = WinModel(base, stage_rate, overall, {name: {} for name in FEATURES}, total)
    # Per cell: counts, base odds and feature values, so each pass is plain arithmetic.
    rows = [
        (n, w, _odds(base.get((c[0], c[1]), overall)), (c[2], c[3], c[4]))
        for c, (n, w) in counts.cells.items()
    ]
    factors = model.factors
    for _ in range(PASSES):
        for index, name in enumerate(FEATURES):
            observed: dict[object, float] = defaultdict(float)
            expected: dict[object, float] = defaultdict(float)
            amount_f, source_f, owner_f = factors["amount"], factors["source"], factors["owner"]
            for n, w, odds, values in rows:
                odds *= amount_f.get(values[0], 1.0) * source_f.get(values[1], 1.0)
                odds *= owner_f.get(values[2], 1.0)
                value = values[index]
                observed[value] += w
                chance = odds / (1 + odds)  # _prob, inline: this runs for every cell and pass
                expected[value] += n * (MAX_P if chance > MAX_P else max(MIN_P, chance))
            # Backfitting: each pass corrects a feature for what the others now explain.
            prior = SHRINK * overall
            current = factors[name]
            for key, wins in observed.items():
                if expected[key] + prior > 0:
                    current[key] = current.get(key, 1.0) * (wins + prior) / (expected[key] + prior)
    return model


@dataclass(frozen=True)
class CalibrationRow:
    low: float
    high: float
    observations: int
    predicted: float | None  # mean predicted chance in the band
    observed: float | None  # share won


def calibration(
    pairs: Iterable[tuple[float, int, int]], bands: int = 10
) -> tuple[list[CalibrationRow], float | None]:
    """(predicted chance, observations, won) → a reliability table and its calibration error.

    The error is the observation-weighted mean of |predicted − observed| over the bands
    (expected calibration error); None when there is nothing to compare.
    """
    sums: list[list[float]] = [[0, 0.0, 0] for _ in range(bands)]
    for p, n, w in pairs:
        band = min(bands - 1, int(p * bands))
        sums[band][0] += n
        sums[band][1] += p * n
        sums[band][2] += w
    rows: list[CalibrationRow] = []
    total, error = 0.0, 0.0
    for index, (count, p_sum, wins) in enumerate(sums):
        predicted = p_sum / count if count else None
        observed = wins / count if count else None
        rows.append(
            CalibrationRow(index / bands, (index + 1) / bands, int(count), predicted, observed)
        )
        if count:
            total += count
            error += count * abs(p_sum / count - wins / count)
    return rows, (error / total if total else None)


def model_calibration(model: WinModel, counts: Counts) -> tuple[list[CalibrationRow], float | None]:
    """In-sample reliability of the fitted model over its own training stays."""
    return calibration((model.predict_cell(c), n, w) for c, (n, w) in counts.cells.items())


# Days in a stage are compared on this grid: a deal 12 days in its stage is compared with
# won stays of at least 10 days (a sorted list per stage and level, built when first asked).
STAY_GRID = (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)

# (days the won deal stayed in the stage, days from entering the stage to the win); a bare
# number is read as a deal that stayed until it was won.
Sample = tuple[int, int] | int


def _pairs(values: Sequence[Sample]) -> list[tuple[int, int]]:
    if isinstance(values[0], int):  # one kind per list: checked once, not per sample
        return [(s, s) for s in values if isinstance(s, int)]
    return [s for s in values if not isinstance(s, int)]


def _by_level(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """For each level of STAY_GRID, the sorted days-to-win of the stays at least that long:
    one pass from the longest stays down, each level the one above with the stays of its
    own band merged in (sorting two sorted runs is a merge). Levels with nothing added share
    the list above; the lists are only read."""
    ordered = sorted(pairs, reverse=True)  # longest stays first
    negated = [-stay for stay, _ in ordered]  # ascending, for bisect
    times: list[int] = []
    levels: list[list[int]] = [[] for _ in STAY_GRID]
    start = 0
    for level in reversed(range(len(STAY_GRID))):
        end = bisect.bisect_right(negated, -STAY_GRID[level])  # the stays at least this long
        if end > start:
            times = sorted(times + sorted(to_win for _, to_win in ordered[start:end]))
            start = end
        levels[level] = times
    return levels


class CloseTimes:
    """When a won deal closes, from the won stays per stage.

    A deal that has been `d` days in its stage and is still there is compared with won
    deals that also stayed at least `d` days (on `STAY_GRID`), not with every won deal
    that passed through: those that moved on within days are faster, and counting them
    would place the wins of slow deals too early (the deals open on any given day are
    the slower ones).
    """

    def __init__(self, samples: Mapping[int, Sequence[Sample]]) -> None:
        self.pairs = {stage: _pairs(values) for stage, values in samples.items() if values}
        self.every = [p for values in self.pairs.values() for p in values]
        self._levels: dict[int | None, list[list[int]]] = {}

    def comparable(self, stage_id: int, days_in_stage: int) -> list[int]:
        """Sorted days-to-win of the won stays in this stage at least as long (on the grid)."""
        level = bisect.bisect_right(STAY_GRID, max(0, days_in_stage)) - 1
        key = stage_id if stage_id in self.pairs else None
        levels = self._levels.get(key)
        if levels is None:
            pairs = self.every if key is None else self.pairs[key]
            levels = self._levels[key] = _by_level(pairs)
        return levels[level]

    def month_shares(
        self, stage_id: int, days_in_stage: int, edges: Sequence[int]
    ) -> list[float] | None:
        """Chance of closing in each window [edges[i], edges[i+1]) days from now, if won.

        None when no comparable won deal stayed this long (the caller falls back to the
        expected date).
        """
        days = self.comparable(stage_id, days_in_stage)
        first = bisect.bisect_left(days, days_in_stage)
        remaining = len(days) - first
        if remaining <= 0:
            return None
        cuts = [bisect.bisect_left(days, days_in_stage + edge, lo=first) for edge in edges]
        return [(cuts[i + 1] - cuts[i]) / remaining for i in range(len(edges) - 1)]
