"""Rep commit: what the reps committed, with best case and pipeline beside it.

Each deal sits in its rep's forecast category. Its amount is the committed amount
when the rep gave one (else the deal amount) and its month the committed date
(else the expected close date). `commit` sums the commit category; `best_case`
adds the best-case deals to it; `pipeline` adds every other open deal that is not
omitted. Managers see the same sums rolled up over their team's reps.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from lejek.forecasting.methods.common import OpenDeal, Slots, empty, money

COMMIT, BEST_CASE, PIPELINE, OMITTED = "commit", "best_case", "pipeline", "omitted"


@dataclass(frozen=True)
class CommitForecast:
    commit: list[Decimal]
    best_case: list[Decimal]
    pipeline: list[Decimal]


def rep_commit(deals: Iterable[OpenDeal], start: datetime.date, horizon: int) -> CommitForecast:
    commit, best, pipeline = empty(horizon), empty(horizon), empty(horizon)
    slots = Slots(start, horizon)
    for deal in deals:
        if deal.category == OMITTED:
            continue
        amount = deal.committed_amount if deal.committed_amount is not None else deal.amount
        index = slots[deal.committed_date or deal.expected_close]
        if index is None or amount is None:
            continue
        pipeline[index] += amount
        if deal.category in (COMMIT, BEST_CASE):
            best[index] += amount
        if deal.category == COMMIT:
            commit[index] += amount
    return CommitForecast(
        commit=[money(v) for v in commit],
        best_case=[money(v) for v in best],
        pipeline=[money(v) for v in pipeline],
    )
