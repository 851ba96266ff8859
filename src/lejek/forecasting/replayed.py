"""Per-rep snapshots rebuilt from history, so forecast accuracy exists from the first day.

For the first day of this month and of each of the last `months` months, every deal is
replayed as it stood that day (`history.replay`: stage, amount, close date and commit as
then known, nothing later), grouped by owner, and the stage-weighted and rep-commit
forecasts of the next `horizon` months are saved as a snapshot of kind "replayed" for
that owner and day. Days that
already have one are skipped, so running it again adds only what is missing. The owner
is the deal's owner today: owners keep no history of their own.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from lejek.analytics.rates import reporting_currency
from lejek.core import collector
from lejek.forecasting import history, services
from lejek.forecasting.backtest import months_before
from lejek.forecasting.gather import Scope
from lejek.forecasting.methods.commit import rep_commit
from lejek.forecasting.methods.common import OpenDeal, add_months
from lejek.forecasting.methods.weighted import stage_weighted
from lejek.forecasting.models import Snapshot, SnapshotValue

Method = SnapshotValue.Method


@collector.paused()  # millions of short-lived tuples: see `collector`
def replay_rep_snapshots(*, today: datetime.date, months: int = 12, horizon: int = 3) -> int:
    """Save the missing replayed snapshots of the last `months` month starts; how many."""
    days = [*months_before(today, months), today.replace(day=1)]
    done = set(
        Snapshot.objects.filter(kind=Snapshot.Kind.REPLAYED, as_of__in=days).values_list(
            "owner_id", "as_of"
        )
    )
    replay = history.replay(Scope(), days)
    saved = 0
    currency = reporting_currency()
    for day in days:
        by_owner: dict[int, list[OpenDeal]] = defaultdict(list)
        for deal in replay.open_on(day):
            by_owner[deal.owner_id].append(deal)
        for owner_id, deals in sorted(by_owner.items()):
            if (owner_id, day) not in done:
                _save(owner_id, day, deals, horizon, currency)
                saved += 1
    return saved


def _save(
    owner_id: int, day: datetime.date, deals: list[OpenDeal], horizon: int, currency: str
) -> None:
    months = [add_months(day, k) for k in range(horizon)]
    commit = rep_commit(deals, day, horizon)
    values: dict[str, list[Decimal]] = {
        Method.WEIGHTED: stage_weighted(deals, day, horizon),
        Method.COMMIT: commit.commit,
        Method.BEST_CASE: commit.best_case,
    }
    snapshot = Snapshot(
        kind=Snapshot.Kind.REPLAYED,
        as_of=day,
        horizon=horizon,
        currency=currency,
        owner_id=owner_id,
    )
    services.store(snapshot, months, values, actor=None, note="rebuilt from history")
