"""API schemas of sales operations. Ratios are exact-ish decimals (6 places), money 2."""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from lejek.core.listing import Amount, Flag, Id, IsoDate, Version

Ratio = Decimal | None


class QuotaIn(Schema):
    user_id: Id | None = None
    team_id: Id | None = None
    kind: Literal["month", "quarter"] = "month"
    period_start: IsoDate
    amount: Amount
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")


class QuotaPatch(Schema):
    amount: Amount
    version: Version


class QuotaOut(Schema):
    id: int
    user_id: int | None
    team_id: int | None
    kind: str
    period_start: datetime.date
    period_end: datetime.date
    amount: Decimal
    currency: str
    version: int


class QuotaImportIn(Schema):
    csv: str = Field(..., min_length=1, max_length=1_000_000)


class QuotaImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class PeriodQuery(Schema):
    start: str | None = Field(None, description="YYYY-MM; the current quarter by default")
    end: str | None = Field(None, description="YYYY-MM")
    team_id: int | None = Field(None, ge=1)


class RepAttainmentOut(Schema):
    user_id: int
    name: str
    quota: Decimal | None
    won: Decimal
    attainment: Ratio


class TeamAttainmentOut(Schema):
    team_id: int
    name: str
    quota: Decimal | None
    won: Decimal
    attainment: Ratio


class AttainmentOut(Schema):
    start: datetime.date
    end: datetime.date
    currency: str
    reps: list[RepAttainmentOut]
    teams: list[TeamAttainmentOut]
    reps_with_quota: int
    reps_at_quota: int
    attainment_rate: Ratio


class TierIn(Schema):
    above: Decimal = Field(..., ge=1, le=100, description="multiple of the target")
    rate: Decimal = Field(..., ge=0, le=1)


class PlanIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    base_pay: Amount = Decimal(0)
    rate: Decimal = Field(..., ge=0, le=1, max_digits=7, decimal_places=4)
    target: Amount = Decimal(0)
    kind: Literal["cliff", "linear"] = "cliff"
    tiers: list[TierIn] = Field(default_factory=list, max_length=10)
    is_active: Flag = True


class PlanPatch(Schema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=120)
    base_pay: Amount | None = None
    rate: Decimal | None = Field(None, ge=0, le=1, max_digits=7, decimal_places=4)
    target: Amount | None = None
    kind: Literal["cliff", "linear"] | None = None
    tiers: list[TierIn] | None = Field(None, max_length=10)
    is_active: Flag | None = None


class PlanOut(Schema):
    id: int
    name: str
    base_pay: Decimal
    rate: Decimal
    target: Decimal
    kind: str
    tiers: list[dict[str, str]]
    currency: str
    is_active: bool
    version: int


class AssignIn(Schema):
    user_id: Id


class ComputeIn(Schema):
    month: str = Field(..., pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    team_id: Id | None = None


class ApproveIn(Schema):
    version: Version


class LineOut(Schema):
    id: int | None = Field(
        ..., description="null for a draft's lines: built from the deals when read, not stored"
    )
    kind: str
    is_adjustment: bool
    deal_id: int | None
    deal_title: str
    closed_at: datetime.datetime | None
    amount: Decimal | None
    amount_currency: str
    revenue: Decimal
    commission: Decimal
    note: str
    created_at: datetime.datetime


class StatementOut(Schema):
    id: int
    rep_id: int
    rep: str
    month: datetime.date
    plan_id: int
    plan: str
    terms: dict[str, object]
    status: str
    currency: str
    base_pay: Decimal
    revenue: Decimal
    commission: Decimal
    adjustments: Decimal
    total_pay: Decimal
    approved_at: datetime.datetime | None
    approved_by_id: int | None
    version: int
    lines: list[LineOut] | None = None
    stale: bool | None = Field(
        None,
        description=(
            "With the lines (a single statement): true when the deals changed since this "
            "draft was computed, so its figures do not match its lines and it must be "
            "recomputed before it is approved; always false for an approved statement"
        ),
    )


class StatementQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    rep_id: int | None = Field(None, ge=1)


class AuditQuery(Schema):
    team_id: int | None = Field(None, ge=1)
    flag: Literal["stale", "no_next_activity", "close_date_passed", "missing_amount"] | None = None
    pending: bool = False


class ReviewOut(Schema):
    still_qualified: bool
    next_action: str
    note: str
    reviewer_id: int | None
    reviewed_at: datetime.datetime


class AuditItemOut(Schema):
    deal_id: int
    title: str
    owner_id: int
    owner: str
    stage: str
    amount: Decimal | None
    currency: str
    expected_close_date: datetime.date | None
    last_contact_at: datetime.datetime | None
    next_activity_at: datetime.datetime | None
    next_step: str
    flags: list[str]
    review: ReviewOut | None


class AuditOut(Schema):
    team_id: int
    week_start: datetime.date
    total: int
    reviewed: int
    counts: dict[str, int]
    items: list[AuditItemOut]


class ReviewIn(Schema):
    deal_id: Id
    still_qualified: Flag
    next_action: str = Field("", max_length=300)
    note: str = Field("", max_length=5000)


class ScoreRowOut(Schema):
    user_id: int
    name: str
    quadrant: str | None
    x: Ratio
    y: Ratio
    now: dict[str, Ratio]
    before: dict[str, Ratio]
    vs_median: dict[str, Ratio]
    vs_previous: dict[str, Ratio]


class ScorecardOut(Schema):
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    currency: str
    medians: dict[str, Ratio]
    attainment_rate: Ratio
    rows: list[ScoreRowOut]
    quadrant_rule: str


class PlannerQuery(Schema):
    # Bounded so every figure the plan derives fits its decimal places exactly.
    target: Decimal = Field(..., gt=0, le=Decimal("1e12"), decimal_places=2)
    weeks: int = Field(13, ge=1, le=104)
    reps: int | None = Field(None, ge=1, le=10_000)
    team_id: int | None = Field(None, ge=1)
    deal_size: Decimal | None = Field(None, ge=1, le=Decimal("1e12"), decimal_places=2)
    lead_to_conversation: Decimal | None = Field(None, ge=Decimal("0.01"), le=1, decimal_places=4)
    conversation_to_meeting: Decimal | None = Field(
        None, ge=Decimal("0.01"), le=1, decimal_places=4
    )
    meeting_to_proposal: Decimal | None = Field(None, ge=Decimal("0.01"), le=1, decimal_places=4)
    proposal_to_won: Decimal | None = Field(None, ge=Decimal("0.01"), le=1, decimal_places=4)


class PlannerStepOut(Schema):
    step: str
    total: int
    per_week: int
    per_rep_week: int
    exact_per_week: Decimal


class PlannerOut(Schema):
    target: Decimal
    weeks: int
    reps: int
    deal_size: Decimal
    rates: dict[str, Decimal]
    measured_rates: dict[str, Ratio]
    fallback: list[str]
    cycle_days: Ratio
    steps: list[PlannerStepOut]
