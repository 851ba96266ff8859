"""Forecast accuracy per rep, for the sales-operations scorecards.

A rep's forecast for a period is the stage-weighted forecast of their own deals in the
latest snapshot saved for them alone (weekly, by hand, or rebuilt from history) on or
before the period's first day, at most `MAX_AGE` earlier, whose months cover the whole
period. Accuracy is the SPEC's 1 − |forecast − actual| ÷ actual, and only once the period
has ended; a rep without such a snapshot, or who won nothing, has none.

The stage-weighted method is the one every rep has (a rep commit needs forecast
categories that not every team keeps); the forecast page compares all methods.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.db.models import Sum

from lejek.forecasting.accuracy import accuracy
from lejek.forecasting.methods.common import add_months
from lejek.forecasting.models import Snapshot, SnapshotValue

METHOD = SnapshotValue.Method.WEIGHTED
MAX_AGE = datetime.timedelta(days=31)


def forecasts(
    owner_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, Decimal]:
    """Each rep's forecast of the months start..end (first days, both included)."""
    after = add_months(end, 1)
    found = (
        Snapshot.objects.filter(
            owner_id__in=list(owner_ids),
            team__isnull=True,
            pipeline__isnull=True,
            as_of__lte=start,
            as_of__gte=start - MAX_AGE,
        )
        .order_by("owner_id", "-as_of", "-created_at", "-pk")
        .values_list("owner_id", "pk", "as_of", "horizon")
    )
    chosen: dict[int, int] = {}
    for owner_id, pk, as_of, horizon in found:
        covers = add_months(as_of.replace(day=1), horizon) >= after
        if owner_id not in chosen and covers:
            chosen[owner_id] = pk
    sums = dict(
        SnapshotValue.objects.filter(
            snapshot_id__in=chosen.values(), method=METHOD, month__gte=start, month__lt=after
        )
        .values_list("snapshot_id")
        .annotate(total=Sum("amount"))
        .values_list("snapshot_id", "total")
    )
    return {owner: sums.get(pk) or Decimal(0) for owner, pk in chosen.items()}


def per_rep(
    actuals: dict[int, Decimal | Fraction | None],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> dict[int, Fraction | None]:
    """Accuracy per rep for a period that has ended; None where there is nothing to say."""
    if add_months(end, 1) > today:
        return dict.fromkeys(actuals)
    made = forecasts(actuals, start, end)
    return {
        owner: (accuracy(made[owner], actual) if owner in made and actual is not None else None)
        for owner, actual in actuals.items()
    }
