"""The forecast: every method side by side, per month, optionally per owner, team or pipeline."""

import datetime
import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from lejek.accounts.models import Team, User
from lejek.analytics import filters
from lejek.analytics.rates import reporting_currency
from lejek.core import collector
from lejek.forecasting import gather
from lejek.forecasting.accuracy import accuracy
from lejek.forecasting.methods import montecarlo
from lejek.forecasting.methods.commit import rep_commit
from lejek.forecasting.methods.common import ZERO, OpenDeal, WonDeal, add_months, money
from lejek.forecasting.methods.cycle import cycle_age
from lejek.forecasting.methods.probabilistic import chances, probabilistic
from lejek.forecasting.methods.runrate import RunRateInputs, run_rate
from lejek.forecasting.methods.weighted import stage_weighted
from lejek.forecasting.methods.winmodel import CloseTimes, WinModel, model_calibration, train
from lejek.forecasting.models import Snapshot
from lejek.pipelines.models import Pipeline

METHODS = ("weighted", "commit", "run_rate", "cycle_age", "probabilistic")
GROUPS = ("owner", "team", "pipeline")
RATE_INPUTS = ("growth_rate", "ramp_deals")


def suggest_inputs(
    won: list[WonDeal], started: list[tuple[int, datetime.date]], as_of: datetime.date
) -> RunRateInputs:
    """Run-rate inputs from history: the last 90 days, the 90 before, and reps' first months."""
    last_start = as_of - datetime.timedelta(days=90)
    previous_start = as_of - datetime.timedelta(days=180)
    last = [d for d in won if last_start <= d.closed < as_of]
    last_total = sum((d.amount for d in last), ZERO)
    previous_total = sum((d.amount for d in won if previous_start <= d.closed < last_start), ZERO)
    growth = ZERO
    if previous_total:
        growth = ((last_total - previous_total) / previous_total / 3).quantize(Decimal("0.0001"))
    ramping = [rep for rep, start in started if start > last_start]
    # Deals won in their first 30 days by reps who started 30–365 days ago.
    veterans = {
        rep: start
        for rep, start in started
        if as_of - datetime.timedelta(days=365) <= start < as_of - datetime.timedelta(days=30)
    }
    first_month = sum(
        1
        for d in won
        if d.owner_id in veterans
        and veterans[d.owner_id] <= d.closed < veterans[d.owner_id] + datetime.timedelta(days=30)
    )
    ramp = Decimal(first_month) / len(veterans) if veterans else ZERO
    return RunRateInputs(
        average_revenue=money(last_total / 3),
        growth_rate=growth,
        new_reps=len(ramping),
        ramp_deals=ramp.quantize(Decimal("0.01")),
        average_deal_value=money(last_total / len(last)) if last else ZERO,
    )


def _methods(
    deals: list[OpenDeal],
    won: list[WonDeal],
    inputs: RunRateInputs,
    model: WinModel,
    close_times: CloseTimes,
    as_of: datetime.date,
    horizon: int,
    runs: int,
) -> dict[str, Any]:
    start = as_of.replace(day=1)
    committed = rep_commit(deals, start, horizon)
    found = chances(deals, model, close_times, as_of, start, horizon)
    ranges = probabilistic(deals, found, horizon, random.Random(as_of.toordinal()), runs)
    return {
        "weighted": stage_weighted(deals, start, horizon),
        "commit": committed.commit,
        "best_case": committed.best_case,
        "pipeline": committed.pipeline,
        "run_rate": run_rate(inputs, horizon),
        "cycle_age": cycle_age(deals, won, as_of, start, horizon),
        "p10": [r.p10 for r in ranges],
        "p50": [r.p50 for r in ranges],
        "p90": [r.p90 for r in ranges],
        "mean": [r.mean for r in ranges],
        "open_deals": len(deals),
    }


def _labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    if group_by == "owner":
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    if group_by == "team":
        found: dict[Any, str] = {t.pk: t.name for t in Team.objects.filter(pk__in=keys)}
        found[None] = "—"
        return found
    return {p.pk: p.name for p in Pipeline.objects.filter(pk__in=keys)}


def forecast(
    user: User | None,
    scope: gather.Scope,
    *,
    as_of: datetime.date,
    horizon: int,
    group_by: str | None = None,
    inputs: dict[str, Any] | None = None,
    runs: int = montecarlo.SIMULATIONS,
) -> dict[str, Any]:
    """Every method for the months from `as_of`'s month on; `inputs` edit the run-rate inputs."""
    with collector.paused():  # a few hundred thousand short-lived tuples (`collector`)
        return _forecast(user, scope, as_of, horizon, group_by, inputs, runs)


def _forecast(
    user: User | None,
    scope: gather.Scope,
    as_of: datetime.date,
    horizon: int,
    group_by: str | None,
    inputs: dict[str, Any] | None,
    runs: int,
) -> dict[str, Any]:
    data = gather.load(user, scope, as_of)
    priors = hashlib.sha256(repr(sorted(data.priors.items())).encode()).hexdigest()
    model = gather.cached(
        f"{data.history_key}:model:{priors}", lambda: train(data.counts, data.priors)
    )
    close_times = CloseTimes(data.close_days)
    suggested = suggest_inputs(data.won, data.new_reps, as_of)
    chosen = replace(suggested, **(inputs or {}))
    result: dict[str, Any] = {
        "as_of": as_of,
        "horizon": horizon,
        "months": [add_months(as_of.replace(day=1), k) for k in range(horizon)],
        "currency": reporting_currency(),
        "group_by": group_by,
        "unconvertible": data.unconvertible,
        "run_rate_inputs": chosen,
        "suggested_inputs": suggested,
        "totals": _methods(data.open, data.won, chosen, model, close_times, as_of, horizon, runs),
        "groups": [],
    }
    rows, error = model_calibration(model, data.counts)
    result["calibration"] = {"rows": rows, "error": error, "observations": model.observations}
    if group_by:
        key_of: Callable[[int, int], Any] = {
            "owner": lambda owner, pipeline: owner,
            "team": lambda owner, pipeline: data.teams.get(owner),
            "pipeline": lambda owner, pipeline: pipeline,
        }[group_by]
        open_by: dict[Any, list[OpenDeal]] = defaultdict(list)
        won_by: dict[Any, list[WonDeal]] = defaultdict(list)
        for deal in data.open:
            open_by[key_of(deal.owner_id, deal.pipeline_id)].append(deal)
        for won in data.won:
            won_by[key_of(won.owner_id, won.pipeline_id)].append(won)
        started_by: dict[Any, list[tuple[int, datetime.date]]] = defaultdict(list)
        if group_by != "pipeline":
            for rep, start in data.new_reps:
                started_by[key_of(rep, 0)].append((rep, start))
        keys = sorted(set(open_by) | set(won_by), key=lambda k: (k is None, k or 0))
        labels = _labels(group_by, [k for k in keys if k is not None])
        for key in keys:
            # Edited rates apply to every group; amounts are each group's own.
            rates_only = {k: v for k, v in (inputs or {}).items() if k in RATE_INPUTS}
            group_inputs = replace(
                suggest_inputs(won_by[key], started_by[key], as_of), **rates_only
            )
            found = _methods(
                open_by[key], won_by[key], group_inputs, model, close_times, as_of, horizon, runs
            )
            result["groups"].append({"key": key, "label": labels.get(key, str(key)), **found})
    return result


def resolve_scope(
    user: User, *, owner_id: int | None, team_id: int | None, pipeline_id: int | None
) -> gather.Scope:
    """Check the filters and narrow them to the owners `user` may see."""
    found = filters.resolve(
        user=user,
        period=filters.Period.quarter_of(filters.this_month()),
        pipeline_id=pipeline_id,
        owner_id=owner_id,
        team_id=team_id,
    )
    return gather.Scope(owner_ids=found.owner_ids, pipeline_ids=found.pipeline_ids)


def snapshot_scope(snapshot: Snapshot) -> gather.Scope:
    owners: tuple[int, ...] | None = None
    if snapshot.owner_id is not None:
        owners = (snapshot.owner_id,)
    elif snapshot.team_id is not None:
        owners = tuple(User.objects.filter(team_id=snapshot.team_id).values_list("pk", flat=True))
    pipelines = (snapshot.pipeline_id,) if snapshot.pipeline_id is not None else None
    return gather.Scope(owner_ids=owners, pipeline_ids=pipelines)


def snapshots_visible_to(user: User) -> QuerySet[Snapshot]:
    """Admins see every snapshot; managers their team's and their own; reps their own."""
    qs = Snapshot.objects.all()
    if user.is_admin:
        return qs
    mine = Q(created_by_id=user.pk) | Q(owner_id=user.pk)
    if user.is_manager and user.team_id:
        team = User.objects.filter(team_id=user.team_id).values_list("pk", flat=True)
        mine |= Q(team_id=user.team_id) | Q(owner_id__in=team)
    return qs.filter(mine)


def snapshot_accuracy(snapshot: Snapshot, today: datetime.date) -> list[dict[str, Any]]:
    """Per month and method: forecast, actual won, accuracy once the month has closed."""
    values = list(snapshot.values.all())
    months = sorted({v.month for v in values})
    closed = [m for m in months if add_months(m, 1) <= today]
    actual = gather.actuals(snapshot_scope(snapshot), closed) if closed else {}
    rows = []
    for value in values:
        won = actual.get(value.month)
        rows.append(
            {
                "month": value.month,
                "method": value.method,
                "forecast": value.amount,
                "actual": None if won is None else money(won),
                "accuracy": None if won is None else accuracy(value.amount, money(won)),
            }
        )
    return rows
