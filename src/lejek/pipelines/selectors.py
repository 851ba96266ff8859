"""Reads of pipelines, deals and their history, scoped to what the user may see."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from lejek.accounts.models import User
from lejek.core import money
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange, StatusChange

DEAL_SORTS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "amount": "amount",
    "title": "title",
    "expected_close_date": "expected_close_date",
    "stage_entered_at": "stage_entered_at",
    "closed_at": "closed_at",
    "next_activity_at": "next_activity_at",
    "last_activity_at": "last_activity_at",
}


def pipeline_list(*, include_inactive: bool = False) -> QuerySet[Pipeline]:
    qs = Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.active().order_by("order", "pk"))
    )
    return qs if include_inactive else qs.filter(is_active=True)


def deal_list(*, user: User, filters: Any) -> QuerySet[Deal]:
    qs = Deal.objects.visible_to(user).select_related("owner", "stage", "pipeline", "organization")
    if filters.pipeline_id is not None:
        qs = qs.filter(pipeline_id=filters.pipeline_id)
    if filters.stage_id is not None:
        qs = qs.filter(stage_id=filters.stage_id)
    if filters.status:
        qs = qs.filter(status__in=[s.strip() for s in filters.status.split(",")])
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        qs = qs.filter(owner__team_id=filters.team_id)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.forecast_category:
        qs = qs.filter(forecast_category=filters.forecast_category)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    if filters.expected_close_from:
        qs = qs.filter(expected_close_date__gte=filters.expected_close_from)
    if filters.expected_close_to:
        qs = qs.filter(expected_close_date__lte=filters.expected_close_to)
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    if filters.no_next_activity:
        qs = qs.filter(status=Deal.Status.OPEN, next_activity_at__isnull=True)
    return qs


def deal_detail_queryset() -> QuerySet[Deal]:
    return Deal.objects.select_related("owner", "stage", "pipeline", "organization", "lead")


def deal_history(deal: Deal) -> dict[str, list[Any]]:
    return {
        "stage_changes": list(
            StageChange.objects.filter(deal=deal).select_related("from_stage", "to_stage", "actor")
        ),
        "status_changes": list(StatusChange.objects.filter(deal=deal).select_related("actor")),
    }


def is_stale(deal: Deal, now: datetime | None = None) -> bool:
    """Idle in its stage longer than the stage's rotting limit (no move and no activity)."""
    limit = deal.stage.rotting_days
    if deal.status != Deal.Status.OPEN or not limit:
        return False
    last_touch = max(filter(None, [deal.stage_entered_at, deal.last_activity_at]))
    return ((now or timezone.now()) - last_touch).days > limit


# Cards in a column: the deal that entered the stage last comes first (a moved card lands on top).
CARD_ORDER = ("-stage_entered_at", "-id")
# What a card shows and `is_stale` reads: loading only these keeps a full board cheap.
CARD_FIELDS = (
    "id",
    "title",
    "pipeline_id",
    "stage_id",
    "version",
    "status",
    "amount",
    "currency",
    "stage_entered_at",
    "last_activity_at",
    "next_activity_at",
    "organization__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def board_deals(
    *, user: User, pipeline: Pipeline, owner_id: int | None = None, filters: Any = None
) -> QuerySet[Deal]:
    """The open deals a board shows: visible to `user`, narrowed like `deal_list` by `filters`."""
    qs = (
        deal_list(user=user, filters=filters)
        if filters is not None
        else Deal.objects.visible_to(user)
    )
    qs = qs.filter(pipeline=pipeline, status=Deal.Status.OPEN)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs


def board_columns(
    *, user: User, pipeline: Pipeline, owner_id: int | None = None, filters: Any = None
) -> list[dict[str, Any]]:
    """Per stage: count of open deals and totals (per currency), weighted by stage probability.

    One GROUP BY query over the visible open deals; amounts stay in their own currency
    until exchange rates exist, so a column never adds euros to zlotys.
    """
    stages = list(pipeline.stages.active().order_by("order", "pk"))
    qs = board_deals(user=user, pipeline=pipeline, owner_id=owner_id, filters=filters)
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability"),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    rows = (
        qs.order_by()
        .values("stage_id", "currency")
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            weighted=Sum(weighted),
            without_amount=Count("id", filter=Q(amount__isnull=True)),
        )
    )
    by_stage: dict[int, dict[str, Any]] = {
        s.pk: {"stage": s, "count": 0, "without_amount": 0, "totals": []} for s in stages
    }
    for row in rows:
        column = by_stage.get(row["stage_id"])
        if column is None:
            continue
        column["count"] += row["count"]
        column["without_amount"] += row["without_amount"]
        if row["total"] is not None:
            column["totals"].append(
                {
                    "currency": row["currency"],
                    "amount": money.quantize(Decimal(row["total"])),
                    "weighted": money.quantize(Decimal(row["weighted"]) / 100),
                }
            )
    for column in by_stage.values():
        column["totals"].sort(key=lambda t: t["currency"])
    return [by_stage[s.pk] for s in stages]


def board_cards(
    *,
    user: User,
    pipeline: Pipeline,
    stages: list[Stage],
    filters: Any = None,
    per_column: int = 50,
) -> dict[int, list[Deal]]:
    """The first `per_column` + 1 cards of every column (the extra one says "there is more").

    One short query per stage: each walks the (stage, status, stage_entered_at) index and
    stops after a page, which measured several times faster than numbering every open
    deal of the pipeline with a window function.
    """
    return {
        stage.pk: column_cards(
            user=user, pipeline=pipeline, stage=stage, filters=filters, offset=0, limit=per_column
        )
        for stage in stages
    }


def column_cards(
    *, user: User, pipeline: Pipeline, stage: Stage, filters: Any = None, offset: int, limit: int
) -> list[Deal]:
    """One more page of a column's cards: up to `limit` + 1 deals after the first `offset`."""
    qs = (
        board_deals(user=user, pipeline=pipeline, filters=filters)
        .filter(stage=stage)
        .select_related(None)
        .select_related("owner", "organization")
        .only(*CARD_FIELDS)
        .order_by(*CARD_ORDER)
    )
    return list(qs[offset : offset + limit + 1])


def today() -> date:
    return timezone.localdate()
