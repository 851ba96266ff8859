"""Rep scorecards, the team table and the quadrants, from the analytics summaries.

Each rep's metrics for a period come from the same rollups and formulas as the dashboard
(`lejek.analytics.metrics.period_metrics`), grouped by owner; attainment is won revenue
÷ quota (`selectors.attainment`). Every metric is shown against the team median and the
previous period of the same length.

Forecast accuracy compares the rep's stage-weighted forecast saved on or before the
period's first day with what they won in it (`lejek.forecasting.rep_accuracy`); it
exists once the period has ended.

Quadrants (seed 002): x = attainment this period − the team median attainment, y = the
change in attainment from the previous period (percentage points). A rep at or above the
median is a star, below it a laggard; a rep whose attainment did not fall (y ≥ 0) is
rising/improving, otherwise falling/declining. Reps without a quota in either period are
listed as "not placed".
"""

import datetime
from collections import defaultdict
from fractions import Fraction
from typing import Any

from django.utils import timezone

from lejek.accounts.models import User
from lejek.analytics import feed, metrics, queries
from lejek.analytics import selectors as analytics_selectors
from lejek.analytics.filters import Filters, Period
from lejek.analytics.loaders import local_date
from lejek.analytics.rates import RateTable
from lejek.forecasting import rep_accuracy
from lejek.salesops import calc, selectors

# (key, label, higher is better)
EFFECTIVENESS = (
    ("pipeline_value", "Pipeline value", True),
    ("revenue_won", "Won revenue", True),
    ("average_deal_size", "Average deal size", True),
    ("win_rate", "Win rate", True),
    ("attainment", "Quota attainment", True),
    ("forecast_accuracy", "Forecast accuracy", True),
)
EFFICIENCY = (
    ("selling_time", "Selling time", True),
    ("meetings_booked", "Prospect meetings", True),
    ("average_sales_cycle_days", "Sales cycle (days)", False),
    ("lead_response_hours", "Lead response (hours)", False),
)
METRICS = EFFECTIVENESS + EFFICIENCY
KEYS = tuple(k for k, _, _ in METRICS)


def _empty() -> metrics.Data:
    return metrics.Data([], [], [], [], [], [], [], [])


def _numbers(
    data: metrics.Data, period: Period, layout: metrics.Layout, rates: RateTable, today: Any
) -> dict[str, Any]:
    m = metrics.period_metrics(data, period, layout, rates, today)
    return {k: m.get(k) for k in KEYS if k in m}


def _medians(rows: list[tuple[Any, int]]) -> dict[Any, Fraction | None]:
    values: dict[Any, list[int]] = defaultdict(list)
    for key, seconds in rows:
        values[key].append(seconds)
    return {k: calc.median([Fraction(s) for s in v]) for k, v in values.items()}


def _difference(value: Any, other: Any) -> Fraction | None:
    if value is None or other is None:
        return None
    return Fraction(value) - Fraction(other)


def _forecast_accuracy(
    rows: list[dict[str, Any]], period: Period, previous: Period, today: datetime.date
) -> None:
    for key, when in (("now", period), ("before", previous)):
        won = {r["user"].pk: r[key].get("revenue_won") for r in rows}
        found = rep_accuracy.per_rep(won, when.start, when.end, today)
        for r in rows:
            r[key]["forecast_accuracy"] = found.get(r["user"].pk)


def team_scorecard(user: User, period: Period, team_id: int | None = None) -> dict[str, Any]:
    """Every visible rep (of one team if given): metrics now and before, medians, quadrants."""
    feed.catch_up()
    previous = period.previous()
    now_att = selectors.attainment(user, period, team_id)
    before_att = selectors.attainment(user, previous, team_id)
    reps = [row["user"] for row in now_att["reps"]]
    ids = tuple(r.pk for r in reps)
    rates = RateTable.load()
    today = local_date(timezone.now())
    layout = analytics_selectors.layout()
    filters = Filters(period=period, owner_ids=ids)
    data = analytics_selectors.fetch(filters, start=previous.start, end=period.end, group="owner")
    parts = data.partition(lambda row: row["owner_id"])
    response_now = _medians(
        queries.lead_response_seconds(filters, period.start, period.end, "owner")
    )
    response_before = _medians(
        queries.lead_response_seconds(filters, previous.start, previous.end, "owner")
    )
    before_by_rep = {row["user"].pk: row for row in before_att["reps"]}
    rows: list[dict[str, Any]] = []
    for row in now_att["reps"]:
        rep = row["user"]
        part = parts.get(rep.pk, _empty())
        current = _numbers(part, period, layout, rates, today)
        prior = _numbers(part, previous, layout, rates, today)
        prior["pipeline_value"] = None  # open pipeline is "now": no earlier value to compare
        for numbers, att, response in (
            (current, row, response_now.get(rep.pk)),
            (prior, before_by_rep.get(rep.pk, {}), response_before.get(rep.pk)),
        ):
            value = att.get("attainment")
            numbers["attainment"] = None if value is None else Fraction(value)
            numbers["lead_response_hours"] = None if response is None else response / 3600
        rows.append(
            {"user": rep, "quota": row["quota"], "won": row["won"], "now": current, "before": prior}
        )
    _forecast_accuracy(rows, period, previous, today)
    medians = {
        key: calc.median([Fraction(r["now"][key]) for r in rows if r["now"].get(key) is not None])
        for key in KEYS
    }
    for r in rows:
        now_a, before_a = r["now"]["attainment"], r["before"]["attainment"]
        change = None if now_a is None or before_a is None else now_a - before_a
        median = medians["attainment"]
        r["x"] = None if now_a is None or median is None else now_a - median
        r["y"] = change
        r["quadrant"] = calc.quadrant(now_a, median, change)
        r["vs_median"] = {k: _difference(r["now"].get(k), medians[k]) for k in KEYS}
        r["vs_previous"] = {k: _difference(r["now"].get(k), r["before"].get(k)) for k in KEYS}
    quadrants: dict[str, list[dict[str, Any]]] = {key: [] for key in calc.QUADRANT_LABELS}
    unplaced: list[dict[str, Any]] = []
    for r in rows:
        (quadrants[r["quadrant"]] if r["quadrant"] else unplaced).append(r)
    return {
        "period": period,
        "previous_period": previous,
        "currency": rates.reporting,
        "rows": rows,
        "medians": medians,
        "quadrants": quadrants,
        "unplaced": unplaced,
        "attainment_rate": now_att["attainment_rate"],
        "teams": now_att["teams"],
    }


def rep_scorecard(user: User, rep_id: int, period: Period) -> dict[str, Any] | None:
    """One rep's card: their row from their team's table (so medians are the team's)."""
    rep = selectors.visible_users(user).filter(pk=rep_id).first()
    if rep is None:
        return None
    board = team_scorecard(user, period, rep.team_id)
    row = next((r for r in board["rows"] if r["user"].pk == rep.pk), None)
    if row is None:  # a rep in no team
        board = team_scorecard(rep, period)
        row = board["rows"][0]
    return {**board, "row": row}


def quarter_containing(day: datetime.date) -> Period:
    return Period.quarter_of(day.replace(day=1))
