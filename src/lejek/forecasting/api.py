"""JSON API: the forecast, the backtest, and saved snapshots with their accuracy."""

from django.utils import timezone
from ninja import Query, Router, Status

from lejek.accounts.auth import AuthedRequest
from lejek.analytics.loaders import local_date
from lejek.analytics.rates import reporting_currency
from lejek.core.errors import NotFound
from lejek.core.listing import errors
from lejek.forecasting import backtest, gather, present, schemas, selectors, services

router = Router(tags=["forecasts"])


@router.get("/", response={200: schemas.ForecastOut, **errors()})
def forecast(request: AuthedRequest, params: Query[schemas.ForecastFilters]):  # type: ignore[type-arg]
    """Every method side by side for 1–9 months; reps see their own deals, managers their team's.

    `p10`/`p50`/`p90` come from 10,000 simulated outcomes of the probabilistic method.
    """
    scope = selectors.resolve_scope(
        request.user,
        owner_id=params.owner_id,
        team_id=params.team_id,
        pipeline_id=params.pipeline_id,
    )
    found = selectors.forecast(
        request.user,
        scope,
        as_of=local_date(timezone.now()),
        horizon=params.horizon,
        group_by=params.group_by,
        inputs=params.inputs(),
    )
    return present.forecast_out(found)


@router.get("/backtest", response={200: schemas.BacktestOut, **errors()})
def run_backtest(request: AuthedRequest, params: Query[schemas.BacktestFilters]):  # type: ignore[type-arg]
    """Each past month forecast as of its first day with what was known then, and the result."""
    scope = selectors.resolve_scope(
        request.user,
        owner_id=params.owner_id,
        team_id=params.team_id,
        pipeline_id=params.pipeline_id,
    )
    _teams, started = gather.owners(scope)
    found = backtest.backtest(
        scope, today=local_date(timezone.now()), months=params.months, started=started
    )
    return present.backtest_out(found, reporting_currency())


@router.get("/snapshots", response={200: list[schemas.SnapshotOut], **errors()})
def list_snapshots(request: AuthedRequest, limit: int = 20):
    """Saved forecasts, newest first, with the accuracy of each month that has closed."""
    today = local_date(timezone.now())
    found = selectors.snapshots_visible_to(request.user)[: max(1, min(limit, 100))]
    return [present.snapshot_out(s, selectors.snapshot_accuracy(s, today)) for s in found]


@router.post("/snapshots", response={201: schemas.SnapshotOut, **errors(403)})
def save_snapshot(request: AuthedRequest, payload: schemas.SnapshotIn):
    snapshot = services.snapshot_for(
        actor=request.user,
        horizon=payload.horizon,
        owner_id=payload.owner_id,
        team_id=payload.team_id,
        pipeline_id=payload.pipeline_id,
    )
    today = local_date(timezone.now())
    return Status(201, present.snapshot_out(snapshot, selectors.snapshot_accuracy(snapshot, today)))


@router.get("/snapshots/{int:snapshot_id}", response={200: schemas.SnapshotOut, **errors(404)})
def get_snapshot(request: AuthedRequest, snapshot_id: int):
    snapshot = selectors.snapshots_visible_to(request.user).filter(pk=snapshot_id).first()
    if snapshot is None:
        raise NotFound(f"Snapshot {snapshot_id} was not found.")
    today = local_date(timezone.now())
    return present.snapshot_out(snapshot, selectors.snapshot_accuracy(snapshot, today))
