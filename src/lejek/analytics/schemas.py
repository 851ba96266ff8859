"""API shapes for analytics: report filters, the report, exchange rates, stage roles."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import create_model

from lejek.analytics import present
from lejek.core.listing import CurrencyCode, Id, Int, IsoDate

Ratio = str | None
GroupBy = Literal["owner", "team", "source", "month"]


class ReportFilters(Schema):
    start: str | None = Field(None, max_length=7, description="First month, YYYY-MM")
    end: str | None = Field(None, max_length=7, description="Last month (included), YYYY-MM")
    all_time: bool = Field(False, description="Every month; no previous period")
    pipeline_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    source: str | None = Field(None, max_length=20)
    group_by: GroupBy | None = None


class MoneyOut(Schema):
    amount: str
    currency: str


def _field(kind: str) -> tuple[Any, Any]:
    if kind == present.COUNT:
        return (int | None, Field(None))
    if kind == present.MONEY:
        return (MoneyOut | None, Field(None))
    descriptions = {
        present.RATIO: "Exact ratio 0–1 as a decimal string (6 places), null when not available",
        present.NUMBER: "Decimal string (6 places), null when not available",
        present.HOURS: "Median in hours, decimal string (6 places), null when not available",
    }
    return (str | None, Field(None, description=descriptions[kind]))


MetricsOut = create_model(  # type: ignore[call-overload]
    "MetricsOut",
    __base__=Schema,
    **{m.key: _field(m.kind) for m in present.METRICS},
)
ChangesOut = create_model(  # type: ignore[call-overload]
    "ChangesOut",
    __base__=Schema,
    **{
        key: (Ratio, Field(None, description="Relative change against the previous period"))
        for key in present.COMPARED
    },
)


class PeriodOut(Schema):
    start: str
    end: str


class FunnelStepOut(Schema):
    stage_id: Int
    stage: str
    probability: Int
    reached: Int
    won: Int
    conversion: Ratio = Field(None, description="Reached the next stage ÷ reached this one")
    drop_off: Int | None
    close_rate: Ratio
    days_in_stage: str | None


class FunnelOut(Schema):
    pipeline_id: Int
    pipeline: str
    proposal_stage_id: Int | None
    steps: list[FunnelStepOut]


class StageValueOut(Schema):
    pipeline_id: Int
    pipeline: str
    stage_id: Int
    stage: str
    probability: Int
    deals: Int
    value: MoneyOut
    weighted: MoneyOut
    unconvertible: Int


class TrendPointOut(Schema):
    month: str
    new_deals: Int
    won: Int
    lost: Int
    win_rate: Ratio
    revenue_won: MoneyOut
    average_deal_size: MoneyOut | None
    average_sales_cycle_days: str | None
    open_opportunities: Int
    sales_velocity: MoneyOut | None


class UnconvertibleOut(Schema):
    deal_id: Int
    title: str
    amount: str
    currency: str
    closed_date: IsoDate


class GroupOut(Schema):
    key: str
    label: str
    metrics: MetricsOut  # type: ignore[valid-type]


class ReportOut(Schema):
    reporting_currency: str
    period: PeriodOut | None
    previous_period: PeriodOut | None
    current: MetricsOut  # type: ignore[valid-type]
    previous: MetricsOut | None  # type: ignore[valid-type]
    changes: ChangesOut  # type: ignore[valid-type]
    funnels: list[FunnelOut]
    stages: list[StageValueOut]
    trend: list[TrendPointOut]
    unconvertible: list[UnconvertibleOut]
    group_by: str | None
    groups: list[GroupOut]


class RateIn(Schema):
    currency: CurrencyCode
    rate: Decimal = Field(..., gt=0, max_digits=18, decimal_places=8)
    valid_from: IsoDate


class RatePatch(Schema):
    rate: Decimal | None = Field(None, gt=0, max_digits=18, decimal_places=8)
    valid_from: IsoDate | None = None


class RateOut(Schema):
    id: Int
    currency: str
    rate: Decimal
    valid_from: IsoDate
    reporting_currency: str


class StageRoleIn(Schema):
    stage_id: Id
    role: Literal["proposal"] = "proposal"


class StageRoleOut(Schema):
    stage_id: Int
    pipeline_id: Int
    stage: str
    role: str
