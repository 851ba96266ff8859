"""SQL reads for the metrics: the monthly rollup, plus the few that need per-record rows.

Everything here is an aggregate that runs on SQLite and PostgreSQL alike, with
money summed as integer cents. Lead response time is a median, which cannot be
summed from monthly counts, so it reads the per-lead summaries (through their
(month, response time) index) with the same filters.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet, Sum

from lejek.analytics.filters import Filters
from lejek.analytics.models import NONE_DATE, DealSummary, LeadSummary, Rollup

SUMS = {
    name: Sum(name)
    for name in (
        "n",
        "n_amount",
        "cents",
        "acv_cents",
        "seconds",
        "touches",
        "touches5",
        "org_cents",
    )
}
GROUP_COLUMNS = {"owner": "owner_id", "team": "owner_id", "source": "source", "month": "month"}


def _scoped(
    qs: QuerySet[Any], filters: Filters, *, pipelines: bool = True, owner: str = "owner_id"
) -> QuerySet[Any]:
    if filters.owner_ids is not None:
        if not filters.owner_ids:
            return qs.none()
        qs = qs.filter(**{f"{owner}__in": filters.owner_ids})
    if pipelines and filters.pipeline_ids is not None:
        qs = qs.filter(pipeline_id__in=filters.pipeline_ids)
    if filters.sources is not None:
        qs = qs.filter(source__in=filters.sources)
    return qs


def grain(filters: Filters, group: Sequence[str]) -> str:
    """The smallest rollup grain that can answer these filters and this grouping."""
    by_owner = filters.owner_ids is not None or "owner_id" in group
    by_source = filters.sources is not None or "source" in group
    if by_owner and by_source:
        return Rollup.Grain.FULL
    if by_owner:
        return Rollup.Grain.OWNER
    return Rollup.Grain.SOURCE if by_source else Rollup.Grain.ALL


def rollup(
    kind: str,
    filters: Filters,
    group: Sequence[str],
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    pipelines: bool = True,
) -> list[dict[str, Any]]:
    """Sums of one rollup kind grouped by `group` columns, months `start`..`end` included."""
    qs = Rollup.objects.filter(kind=kind, grain=grain(filters, group))
    qs = _scoped(qs, filters, pipelines=pipelines)
    if start is not None:
        qs = qs.filter(month__gte=start)
    if end is not None:
        qs = qs.filter(month__lte=end)
    return list(qs.values(*group).annotate(**SUMS).order_by())


def lead_response_seconds(
    filters: Filters, start: datetime.date, end: datetime.date, group: str | None = None
) -> list[tuple[Any, int]]:
    """(group value, seconds) of leads created in the months, sorted by seconds."""
    qs = _scoped(
        LeadSummary.objects.filter(
            created_month__gte=start, created_month__lte=end, response_seconds__isnull=False
        ),
        filters,
        pipelines=False,
    )
    column = _lead_column(group)
    return list(qs.order_by("response_seconds").values_list(column, "response_seconds"))


def lead_response_median_seconds(
    filters: Filters, start: datetime.date, end: datetime.date
) -> tuple[int, list[int]]:
    """How many leads have a response time, and the one or two middle values (ascending)."""
    qs = _scoped(
        LeadSummary.objects.filter(
            created_month__gte=start, created_month__lte=end, response_seconds__isnull=False
        ),
        filters,
        pipelines=False,
    )
    count = qs.count()
    if not count:
        return 0, []
    low = (count - 1) // 2
    high = count // 2
    values = list(
        qs.order_by("response_seconds").values_list("response_seconds", flat=True)[low : high + 1]
    )
    return count, values


def _lead_column(group: str | None) -> str:
    if group == "month":
        return "created_month"
    return GROUP_COLUMNS.get(group or "", "owner_id") if group else "owner_id"


def unconvertible_deals(
    filters: Filters,
    start: datetime.date,
    end: datetime.date,
    currencies: Sequence[str],
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Won deals in the months whose amount has no exchange rate for its close date.

    One query per currency, walking the (currency, closed_date) index from the end.
    """
    found: list[dict[str, Any]] = []
    for currency in currencies:
        qs = _scoped(
            DealSummary.objects.filter(
                currency=currency,
                status="won",
                closed_month__gte=start,
                closed_month__lte=end,
                amount_cents__isnull=False,
                rate_from=NONE_DATE,
            ),
            filters,
        )
        found += qs.order_by("-closed_date", "-deal_id").values(
            "deal_id", "deal__title", "currency", "amount_cents", "closed_date"
        )[:limit]
    return sorted(found, key=lambda r: (r["closed_date"], r["deal_id"]), reverse=True)[:limit]
