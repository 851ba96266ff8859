"""API shapes: filters in; forecasts out with money as strings beside their currency."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from lejek.core.listing import Id

GroupBy = Literal["owner", "team", "pipeline"]


class ForecastFilters(Schema):
    horizon: int = Field(3, ge=1, le=9, description="Months ahead, 1–9")
    pipeline_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    group_by: GroupBy | None = None
    # Run-rate inputs; each replaces the value suggested from history.
    average_revenue: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    growth_rate: Decimal | None = Field(None, ge=-1, le=10, max_digits=8, decimal_places=4)
    new_reps: int | None = Field(None, ge=0, le=10_000)
    ramp_deals: Decimal | None = Field(None, ge=0, le=1000, max_digits=8, decimal_places=2)
    average_deal_value: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)

    def inputs(self) -> dict[str, Any]:
        names = ("average_revenue", "growth_rate", "new_reps", "ramp_deals", "average_deal_value")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


class BacktestFilters(Schema):
    months: int = Field(24, ge=1, le=120)
    pipeline_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None


class SnapshotIn(Schema):
    horizon: int = Field(3, ge=1, le=9)
    pipeline_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None


class ForecastOut(Schema):
    """Money values are decimal strings in `currency`; ratios exact decimal strings."""

    as_of: str
    currency: str
    months: list[str]
    totals: dict[str, Any]
    groups: list[dict[str, Any]]
    run_rate_inputs: dict[str, Any]
    suggested_inputs: dict[str, Any]
    calibration: dict[str, Any]
    unconvertible: int


class BacktestOut(Schema):
    currency: str
    months: list[dict[str, Any]]
    mean_accuracy: dict[str, str | None]
    recommended: str | None
    range_coverage: str | None


class SnapshotOut(Schema):
    id: int
    kind: str
    as_of: str
    horizon: int
    currency: str
    owner_id: int | None
    team_id: int | None
    pipeline_id: int | None
    created_at: str
    values: list[dict[str, Any]]
