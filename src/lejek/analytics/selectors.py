"""The metrics report the API and the dashboard share: one period, its predecessor, trends.

`report()` brings the summaries up to date (`feed.catch_up`), fetches the rollup
sums once for every month it needs, and computes each period, month and group
from those rows in Python.
"""

import datetime
from collections import defaultdict
from fractions import Fraction
from typing import Any

from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.analytics import calc, feed, metrics, present, queries
from lejek.analytics.filters import Filters, Period, add_months, this_month
from lejek.analytics.loaders import local_date
from lejek.analytics.models import StageRole
from lejek.analytics.rates import RateTable
from lejek.leads.models import Source
from lejek.pipelines.models import Pipeline, Stage

TREND_MONTHS = 12


def layout(pipeline_ids: tuple[int, ...] | None = None) -> metrics.Layout:
    pipelines = Pipeline.objects.order_by("order", "pk")
    if pipeline_ids is not None:
        pipelines = pipelines.filter(pk__in=pipeline_ids)
    else:
        pipelines = pipelines.filter(is_active=True)
    names = dict(pipelines.values_list("pk", "name"))
    stages: dict[int, list[int]] = defaultdict(list)
    probability, stage_names = {}, {}
    proposal: dict[int, int] = {}
    flagged = set(
        StageRole.objects.filter(role=StageRole.Role.PROPOSAL).values_list("stage_id", flat=True)
    )
    by_name: dict[int, int] = {}
    for pk, pipeline_id, name, chance in (
        Stage.objects.active()
        .filter(pipeline_id__in=names)
        .order_by("pipeline_id", "order", "pk")
        .values_list("pk", "pipeline_id", "name", "probability")
    ):
        stages[pipeline_id].append(pk)
        probability[pk], stage_names[pk] = chance, name
        if pk in flagged and pipeline_id not in proposal:
            proposal[pipeline_id] = pk
        if "proposal" in name.casefold() and pipeline_id not in by_name:
            by_name[pipeline_id] = pk
    for pipeline_id, pk in by_name.items():
        proposal.setdefault(pipeline_id, pk)
    return metrics.Layout(
        stages=dict(stages),
        probability=probability,
        names=stage_names,
        pipeline_names=names,
        proposal=proposal,
    )


def fetch(
    filters: Filters, *, start: datetime.date, end: datetime.date, group: str | None = None
) -> metrics.Data:
    """Rollup sums by month from `start` (all history for cohorts and closes) to `end`."""
    extra = [queries.GROUP_COLUMNS[group]] if group and group != "month" else []
    return metrics.Data(
        cohort=queries.rollup(
            "cohort", filters, ["month", "pipeline_id", "stage_id", "status", *extra], end=end
        ),
        closed=queries.rollup(
            "closed",
            filters,
            ["month", "status", "currency", "rate_from", *extra],
            end=end,
        ),
        open=queries.rollup("open", filters, ["pipeline_id", "stage_id", "currency", *extra]),
        stage_time=queries.rollup(
            "stage_time",
            filters,
            ["month", "pipeline_id", "stage_id", *extra],
            start=start,
            end=end,
        ),
        activity=queries.rollup(
            "activity", filters, ["month", "status", *extra], start=start, end=end
        ),
        reached=queries.rollup("reached", filters, ["month", *extra], start=start, end=end),
        lead=queries.rollup(
            "lead", filters, ["month", *extra], start=start, end=end, pipelines=False
        ),
        customer=queries.rollup("customer", filters, ["month", *extra], end=end),
    )


def report(
    filters: Filters,
    *,
    group_by: str | None = None,
    trend_months: int = TREND_MONTHS,
) -> dict[str, Any]:
    """Metrics for the filters' period and the one before, funnels, stages, trends, groups."""
    feed.catch_up()
    period = filters.period
    previous = None if period.is_all_time else period.previous()
    last = min(period.end, this_month())
    trend_start = add_months(last, -(trend_months - 1))
    start = min(trend_start, previous.start if previous else period.start, period.start)
    today = local_date(timezone.now())
    rates = RateTable.load()
    stages = layout(filters.pipeline_ids)
    data = fetch(filters, start=start, end=period.end)

    current = _with_extras(
        metrics.period_metrics(data, period, stages, rates, today), filters, period
    )
    result: dict[str, Any] = {
        "period": period,
        "previous_period": previous,
        "reporting_currency": rates.reporting,
        "current": current,
        "previous": None,
        "changes": {},
        "funnels": _funnels(data, period, stages),
        "stages": _open_stages(data, stages, rates, today),
        "trend": _trend(data, stages, rates, today, trend_start, last),
        "unconvertible": queries.unconvertible_deals(
            filters, period.start, period.end, current["unconvertible_currencies"], limit=10
        ),
        "groups": [],
        "group_by": group_by,
    }
    if previous is not None:
        before = _with_extras(
            metrics.period_metrics(data, previous, stages, rates, today), filters, previous
        )
        result["previous"] = before
        result["changes"] = {
            key: calc.change(current[key], before[key]) for key in present.COMPARED
        }
    if group_by:
        result["groups"] = _groups(filters, group_by, stages, rates, today)
    return result


def _with_extras(numbers: dict[str, Any], filters: Filters, period: Period) -> dict[str, Any]:
    """The metric that needs per-record rows: lead response time (a median)."""
    count, middle = queries.lead_response_median_seconds(filters, period.start, period.end)
    numbers["leads_responded"] = count
    numbers["lead_response_seconds"] = calc.median_of_sorted(middle) if count else None
    return numbers


def _funnels(data: metrics.Data, period: Period, stages: metrics.Layout) -> list[dict[str, Any]]:
    inside = data.within(period)
    days = metrics.stage_days(inside.stage_time)
    result = []
    for pipeline_id in stages.stages:
        steps = metrics.funnel_steps(inside.cohort, stages, pipeline_id)
        result.append(
            {
                "pipeline_id": pipeline_id,
                "pipeline": stages.pipeline_names.get(pipeline_id, ""),
                "proposal_stage_id": stages.proposal.get(pipeline_id),
                "steps": [
                    {
                        "stage_id": step.stage_id,
                        "stage": stages.names.get(step.stage_id, ""),
                        "probability": stages.probability.get(step.stage_id, 0),
                        "reached": step.reached,
                        "won": step.won,
                        "conversion": step.conversion,
                        "drop_off": step.drop_off,
                        "close_rate": step.close_rate,
                        "days_in_stage": days.get(step.stage_id),
                    }
                    for step in steps
                ],
            }
        )
    return result


def _open_stages(
    data: metrics.Data, stages: metrics.Layout, rates: RateTable, today: datetime.date
) -> list[dict[str, Any]]:
    by_stage = metrics.revenue_by_stage(data.open, stages, rates, today)
    result = []
    for pipeline_id, stage_ids in stages.stages.items():
        for stage_id in stage_ids:
            entry = by_stage.get(stage_id)
            result.append(
                {
                    "pipeline_id": pipeline_id,
                    "pipeline": stages.pipeline_names.get(pipeline_id, ""),
                    "stage_id": stage_id,
                    "stage": stages.names.get(stage_id, ""),
                    "probability": stages.probability.get(stage_id, 0),
                    "deals": entry["deals"] if entry else 0,
                    "value": entry["money"].total if entry else Fraction(0),
                    "weighted": entry["weighted"] if entry else Fraction(0),
                    "unconvertible": entry["money"].unconvertible if entry else 0,
                }
            )
    return result


def _trend(
    data: metrics.Data,
    stages: metrics.Layout,
    rates: RateTable,
    today: datetime.date,
    first: datetime.date,
    last: datetime.date,
) -> list[dict[str, Any]]:
    result = []
    month = first
    while month <= last:
        numbers = metrics.period_metrics(data, Period(month, month), stages, rates, today)
        result.append({"month": month, **{k: numbers[k] for k in TREND_KEYS}})
        month = add_months(month, 1)
    return result


TREND_KEYS = (
    "new_deals",
    "won",
    "lost",
    "win_rate",
    "revenue_won",
    "average_deal_size",
    "average_sales_cycle_days",
    "open_opportunities",
    "sales_velocity",
)


def _groups(
    filters: Filters,
    group_by: str,
    stages: metrics.Layout,
    rates: RateTable,
    today: datetime.date,
) -> list[dict[str, Any]]:
    period = filters.period
    if group_by == "month":
        data = fetch(filters, start=period.start, end=period.end)
        last = min(period.end, this_month())
        first = max(period.start, _first_month(data) or last)
        medians = _grouped_medians(filters, period, "month")
        groups, month = [], first
        while month <= last:
            numbers = metrics.period_metrics(data, Period(month, month), stages, rates, today)
            numbers["lead_response_seconds"] = medians.get(month)
            groups.append(
                {"key": month.isoformat()[:7], "label": month.strftime("%Y-%m"), "metrics": numbers}
            )
            month = add_months(month, 1)
        return groups
    column = queries.GROUP_COLUMNS[group_by]
    data = fetch(filters, start=period.start, end=period.end, group=group_by)
    keys = _group_keys(data, column, group_by)
    labels = _labels(group_by, keys.keys())
    medians = _grouped_medians(filters, period, group_by)
    group_of = {value: key for key, values in keys.items() for value in values}
    parts = data.partition(lambda row: group_of[row[column]])
    groups = []
    for key in sorted(keys, key=lambda k: str(labels.get(k, ""))):
        numbers = metrics.period_metrics(parts[key], period, stages, rates, today)
        numbers["lead_response_seconds"] = medians.get(key)
        groups.append({"key": str(key), "label": labels.get(key, str(key)), "metrics": numbers})
    return groups


def _first_month(data: metrics.Data) -> datetime.date | None:
    months = [r["month"] for rows in (data.cohort, data.closed) for r in rows]
    return min(months, default=None)


def _group_keys(data: metrics.Data, column: str, group_by: str) -> dict[Any, set[Any]]:
    """Group key → the column values it covers (a team covers its members' owner ids)."""
    values = {r[column] for rows in data.rows().values() for r in rows}
    if group_by != "team":
        return {v: {v} for v in values}
    teams = dict(User.objects.filter(pk__in=values).values_list("pk", "team_id"))
    keys: dict[Any, set[Any]] = defaultdict(set)
    for owner_id in values:
        keys[teams.get(owner_id) or 0].add(owner_id)
    return dict(keys)


def _labels(group_by: str, keys: Any) -> dict[Any, str]:
    keys = list(keys)
    if group_by == "owner":
        users = User.objects.filter(pk__in=keys)
        return {u.pk: u.display_name for u in users}
    if group_by == "team":
        return {0: "—", **dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))}
    return {k: str(Source(k).label) if k in Source.values else str(k) for k in keys}


def _grouped_medians(filters: Filters, period: Period, group_by: str) -> dict[Any, Fraction | None]:
    rows = queries.lead_response_seconds(filters, period.start, period.end, group_by)
    values: dict[Any, list[int]] = defaultdict(list)
    teams: dict[int, int] = {}
    if group_by == "team":
        owners = {owner for owner, _ in rows}
        teams = dict(User.objects.filter(pk__in=owners).values_list("pk", "team_id"))
    for key, seconds in rows:
        values[(teams.get(key) or 0) if group_by == "team" else key].append(seconds)
    return {k: calc.median_of_sorted(v) for k, v in values.items()}
