"""Saving forecasts: by hand from the page or API, and weekly by the background task."""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.analytics.loaders import local_date
from lejek.core import audit
from lejek.core.errors import Forbidden
from lejek.forecasting import selectors
from lejek.forecasting.models import Snapshot, SnapshotValue
from lejek.pipelines.models import Deal, Pipeline

STORED = {
    SnapshotValue.Method.WEIGHTED: "weighted",
    SnapshotValue.Method.COMMIT: "commit",
    SnapshotValue.Method.BEST_CASE: "best_case",
    SnapshotValue.Method.RUN_RATE: "run_rate",
    SnapshotValue.Method.CYCLE_AGE: "cycle_age",
    SnapshotValue.Method.P10: "p10",
    SnapshotValue.Method.P50: "p50",
    SnapshotValue.Method.P90: "p90",
}
WEEK = datetime.timedelta(days=7)


def snapshot_save(
    *,
    actor: User | None,
    horizon: int,
    kind: str = Snapshot.Kind.MANUAL,
    owner: User | None = None,
    team: Team | None = None,
    pipeline: Pipeline | None = None,
    as_of: datetime.date | None = None,
) -> Snapshot:
    """Compute every method for the scope now and store the numbers, month by month.

    The caller has checked the scope against what `actor` may see; `actor` None is the
    system (the weekly task), which sees every deal in the scope.
    """
    as_of = as_of or local_date(timezone.now())
    scope = selectors.resolve_scope(
        actor,
        owner_id=owner.pk if owner else None,
        team_id=team.pk if team else None,
        pipeline_id=pipeline.pk if pipeline else None,
    ) if actor is not None else selectors.snapshot_scope(
        Snapshot(owner=owner, team=team, pipeline=pipeline)
    )  # fmt: skip
    found = selectors.forecast(actor, scope, as_of=as_of, horizon=horizon)
    snapshot = Snapshot(
        kind=kind,
        as_of=as_of,
        horizon=horizon,
        currency=found["currency"],
        owner=owner,
        team=team,
        pipeline=pipeline,
        created_by=actor,
    )
    values: dict[str, Sequence[Any]] = {m: found["totals"][key] for m, key in STORED.items()}
    return store(snapshot, found["months"], values, actor=actor)


def store(
    snapshot: Snapshot,
    months: list[datetime.date],
    values: Mapping[str, Sequence[Any]],
    *,
    actor: User | None,
    note: str = "",
) -> Snapshot:
    """Write a snapshot (unsaved) with each method's amounts month by month, and its
    history: by hand and weekly (`snapshot_save`) or rebuilt from history (`replayed`)."""
    with transaction.atomic():
        snapshot.created_at = timezone.now()
        snapshot.save(force_insert=True)
        SnapshotValue.objects.bulk_create(
            SnapshotValue(snapshot=snapshot, method=method, month=month, amount=Decimal(amount))
            for method, amounts in values.items()
            for month, amount in zip(months, amounts, strict=True)
        )
        audit.log_created(actor=actor, instance=snapshot, note=note)
    return snapshot


def weekly_snapshots(now: datetime.datetime | None = None, horizon: int = 3) -> int:
    """One snapshot for everyone, one per team and one per rep with open deals (the reps'
    forecast accuracy on the scorecards), unless this week's were already saved."""
    now = now or timezone.now()
    if Snapshot.objects.filter(kind=Snapshot.Kind.WEEKLY, created_at__gt=now - WEEK).exists():
        return 0
    saved = 1
    snapshot_save(actor=None, horizon=horizon, kind=Snapshot.Kind.WEEKLY)
    for team in Team.objects.all():
        snapshot_save(actor=None, horizon=horizon, kind=Snapshot.Kind.WEEKLY, team=team)
        saved += 1
    owners = Deal.objects.alive().filter(status=Deal.Status.OPEN).values("owner_id")
    for rep in User.objects.filter(pk__in=owners).order_by("pk"):
        snapshot_save(actor=None, horizon=horizon, kind=Snapshot.Kind.WEEKLY, owner=rep)
        saved += 1
    return saved


def snapshot_for(
    *, actor: User, horizon: int, owner_id: int | None, team_id: int | None, pipeline_id: int | None
) -> Snapshot:
    """Save a snapshot of what `actor` may see: a rep their own deals, a manager their team's.

    With no owner or team given, an admin saves everyone's, a manager their team's and a
    rep their own.
    """
    selectors.resolve_scope(actor, owner_id=owner_id, team_id=team_id, pipeline_id=pipeline_id)
    if team_id is not None and not (
        actor.is_admin or (actor.is_manager and actor.team_id == team_id)
    ):
        raise Forbidden("Only the team's manager or an administrator may save a team's forecast.")
    if owner_id is None and team_id is None and not actor.is_admin:
        if actor.is_manager and actor.team_id:
            team_id = actor.team_id
        else:
            owner_id = actor.pk
    return snapshot_save(
        actor=actor,
        horizon=horizon,
        owner=User.objects.get(pk=owner_id) if owner_id else None,
        team=Team.objects.get(pk=team_id) if team_id else None,
        pipeline=Pipeline.objects.get(pk=pipeline_id) if pipeline_id else None,
    )
