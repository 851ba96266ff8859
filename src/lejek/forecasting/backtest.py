"""Backtest: for each past month, forecast it as the system would have on its first day.

Each forecast uses only what was known then (see `history`): the deals open that
day, as they stood; the deals won before it; a win model trained only on deals
closed before it. It is compared with what was won in the month, and the method
with the best mean accuracy is recommended.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lejek.core import collector, forked
from lejek.forecasting import history
from lejek.forecasting.accuracy import accuracy
from lejek.forecasting.gather import CLOSE_TIME_SAMPLES, Scope
from lejek.forecasting.methods.commit import rep_commit
from lejek.forecasting.methods.common import add_months, money
from lejek.forecasting.methods.cycle import cycle_age
from lejek.forecasting.methods.probabilistic import chances, probabilistic
from lejek.forecasting.methods.runrate import run_rate
from lejek.forecasting.methods.weighted import stage_weighted
from lejek.forecasting.methods.winmodel import CloseTimes, Counts, train
from lejek.forecasting.selectors import suggest_inputs

METHODS = ("weighted", "commit", "run_rate", "cycle_age", "probabilistic")
BACKTEST_RUNS = 2_000
PARALLEL_FROM = 200_000  # open deals over all the months: below, forking costs more


def months_before(today: datetime.date, count: int) -> list[datetime.date]:
    """The last `count` whole months before `today`'s month, oldest first."""
    this_month = today.replace(day=1)
    return [add_months(this_month, -k) for k in range(count, 0, -1)]


def recent_close_days(
    replay: history.Replay, day: datetime.date
) -> dict[int, list[tuple[int, int]]]:
    """The won stays closed before `day`, newest months first, until there are as many as
    the live forecast reads (`gather.CLOSE_TIME_SAMPLES`, whole months)."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    taken = 0
    for month in sorted((m for m in replay.close_days if m < day), reverse=True):
        for stage, values in replay.close_days[month].items():
            found[stage].extend(values)
            taken += len(values)
        if taken >= CLOSE_TIME_SAMPLES:
            break
    return found


def _month(
    replay: history.Replay,
    day: datetime.date,
    counts: Counts,
    started: list[tuple[int, datetime.date]],
) -> dict[str, Any]:
    """Forecast the month starting on `day` as on that day, and compare with what was won."""
    deals = replay.open_on(day)
    known_won = [w for w in replay.won if w.closed < day and (day - w.closed).days <= 365]
    priors = {d.stage_id: d.probability / 100 for d in deals}
    model = train(counts, priors)
    close_times = CloseTimes(recent_close_days(replay, day))
    found = chances(deals, model, close_times, day, day, 1)
    (spread,) = probabilistic(deals, found, 1, random.Random(day.toordinal()), BACKTEST_RUNS)
    forecasts = {
        "weighted": stage_weighted(deals, day, 1)[0],
        "commit": rep_commit(deals, day, 1).commit[0],
        "run_rate": run_rate(suggest_inputs(known_won, started, day), 1)[0],
        "cycle_age": cycle_age(deals, known_won, day, day, 1)[0],
        "probabilistic": spread.p50,
    }
    actual = money(replay.actual.get(day, Decimal(0)))
    return {
        "month": day,
        "actual": actual,
        "open_deals": len(deals),
        "p10": spread.p10,
        "p90": spread.p90,
        "forecasts": forecasts,
        "accuracy": {m: accuracy(v, actual) for m, v in forecasts.items()},
    }


@collector.paused()  # millions of short-lived tuples: see `collector`
def backtest(
    scope: Scope,
    *,
    today: datetime.date,
    months: int = 24,
    started: list[tuple[int, datetime.date]] | None = None,
) -> dict[str, Any]:
    days = months_before(today, months)
    replay = history.replay(scope, days)
    # The model's training data as of each day: the stays of deals closed before it.
    trained: list[Counts] = []
    counts = Counts()
    added: set[datetime.date] = set()
    for day in days:
        for month in sorted(m for m in replay.stays if m < day and m not in added):
            for cell, (n, w) in replay.stays[month].cells.items():
                counts.add_counts(cell, n, w)
            added.add(month)
        snapshot = Counts()
        snapshot.cells.update({cell: list(entry) for cell, entry in counts.cells.items()})
        trained.append(snapshot)

    def one(index: int) -> dict[str, Any]:
        return _month(replay, days[index], trained[index], started or [])

    # Months are independent once replayed: big histories use every CPU.
    heavy = replay.open_count() >= PARALLEL_FROM
    indexes = list(range(len(days)))
    rows = forked.fork_map(one, indexes) if heavy else [one(i) for i in indexes]
    summary: dict[str, Fraction | None] = {}
    for method in METHODS:
        scores = [r["accuracy"][method] for r in rows if r["accuracy"][method] is not None]
        summary[method] = sum(scores, Fraction(0)) / len(scores) if scores else None
    ranked = [m for m in METHODS if summary[m] is not None]
    best = max(ranked, key=lambda m: summary[m]) if ranked else None  # type: ignore[arg-type,return-value]
    covered = [r["p10"] <= r["actual"] <= r["p90"] for r in rows if r["actual"]]
    return {
        "months": rows,
        "mean_accuracy": summary,
        "recommended": best,
        "range_coverage": Fraction(sum(covered), len(covered)) if covered else None,
        "unconvertible": replay.unconvertible,
    }
