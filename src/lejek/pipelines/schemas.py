from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from lejek.contacts import schemas as contact_schemas
from lejek.core.listing import (
    Amount,
    CurrencyCode,
    Flag,
    Id,
    Int,
    IsoDate,
    PageParams,
    Version,
    page_schema,
)
from lejek.leads.models import Source
from lejek.pipelines.models import Deal

Money = Decimal


class StageSpec(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    probability: Int = Field(0, ge=0, le=100, description="Win probability, percent")
    rotting_days: Int | None = Field(None, ge=1, le=3650)


class StagePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    probability: Int | None = Field(None, ge=0, le=100)
    rotting_days: Int | None = Field(None, ge=1, le=3650)


class StageIn(StageSpec):
    position: Int | None = Field(None, ge=0, description="0-based; at the end if omitted")


class StageOut(Schema):
    id: Int
    name: str
    order: Int
    probability: Int
    rotting_days: Int | None


class StageOrderIn(Schema):
    stage_ids: list[Id] = Field(..., min_length=1, max_length=100)


class PipelineIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    template: str | None = Field(None, max_length=40, description="A key from /pipelines/templates")
    stages: list[StageSpec] = Field(default_factory=list, max_length=50)


class PipelinePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    is_active: Flag | None = None
    order: Int | None = Field(None, ge=0)


class PipelineOut(Schema):
    id: Int
    name: str
    template: str
    order: Int
    is_active: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: object) -> list[object]:
        return list(obj.stages.all())  # type: ignore[attr-defined]


class TemplateOut(Schema):
    key: str
    name: str
    seed: str
    stages: list[StageSpec]


class Ref(Schema):
    id: Int
    name: str


class ColumnTotal(Schema):
    currency: str
    amount: Money
    weighted: Money


class BoardColumn(Schema):
    stage: StageOut
    count: Int
    without_amount: Int
    totals: list[ColumnTotal]


class DealIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    pipeline_id: Id
    stage_id: Id | None = None
    organization_id: Id | None = None
    person_ids: list[Id] = Field(default_factory=list, max_length=50)
    lead_id: Id | None = None
    owner_id: Id | None = None
    amount: Amount | None = None
    currency: CurrencyCode = "USD"
    contract_years: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    expected_close_date: IsoDate | None = None
    forecast_category: Deal.ForecastCategory = Deal.ForecastCategory.PIPELINE
    committed_amount: Amount | None = None
    committed_date: IsoDate | None = None
    source: Source = Source.OTHER
    next_step: str = Field("", max_length=300)


class DealPatch(Schema):
    version: Version
    title: str | None = Field(None, min_length=1, max_length=200)
    organization_id: Id | None = None
    person_ids: list[Id] | None = Field(None, max_length=50)
    lead_id: Id | None = None
    owner_id: Id | None = None
    amount: Amount | None = None
    currency: CurrencyCode | None = None
    contract_years: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    expected_close_date: IsoDate | None = None
    forecast_category: Deal.ForecastCategory | None = None
    committed_amount: Amount | None = None
    committed_date: IsoDate | None = None
    source: Source | None = None
    next_step: str | None = Field(None, max_length=300)


class VersionIn(Schema):
    version: Version


class WinIn(VersionIn):
    override_reason: str = Field(
        "", max_length=2000, description="Managers and admins: win past an incomplete stage SOP"
    )


class MoveIn(VersionIn):
    stage_id: Id
    note: str = Field("", max_length=300)
    override_reason: str = Field(
        "", max_length=2000, description="Managers and admins: move past an incomplete stage SOP"
    )


class LoseIn(VersionIn):
    lost_reason: str = Field(..., min_length=1, max_length=300)
    objection_tags: list[Deal.Objection] = Field(default_factory=list, max_length=10)


class DealOut(Schema):
    id: Int
    title: str
    pipeline: Ref
    stage: StageOut
    organization: Ref | None
    owner: contact_schemas.UserRef
    amount: Money | None
    currency: str
    weighted_amount: Money | None
    contract_years: Decimal | None
    expected_close_date: IsoDate | None
    forecast_category: str
    committed_amount: Money | None
    committed_date: IsoDate | None
    source: str
    status: str
    lost_reason: str
    objection_tags: list[str]
    next_step: str
    stage_entered_at: datetime
    closed_at: datetime | None
    last_activity_at: datetime | None
    next_activity_at: datetime | None
    is_stale: bool
    version: Int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_is_stale(obj: Deal) -> bool:
        from lejek.pipelines.selectors import is_stale

        return is_stale(obj)


class PersonRef(Schema):
    id: Int
    full_name: str


class DealDetailOut(DealOut):
    lead_id: Int | None
    people: list[PersonRef]

    @staticmethod
    def resolve_people(obj: Deal) -> list[object]:
        return list(obj.people.all())


class DealFilters(PageParams):
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    status: str | None = Field(None, pattern=r"^(open|won|lost)(,(open|won|lost))*$")
    owner_id: Id | None = None
    team_id: Id | None = None
    organization_id: Id | None = None
    source: Source | None = None
    forecast_category: Deal.ForecastCategory | None = None
    q: str | None = Field(None, max_length=200)
    expected_close_from: IsoDate | None = None
    expected_close_to: IsoDate | None = None
    created_from: IsoDate | None = None
    created_to: IsoDate | None = None
    no_next_activity: bool = False


class StageChangeOut(Schema):
    id: Int
    from_stage: Ref | None
    to_stage: Ref
    pipeline_id: Int
    actor: contact_schemas.UserRef | None
    at: datetime
    reason: str
    note: str


class StatusChangeOut(Schema):
    id: Int
    from_status: str
    to_status: str
    amount: Money | None
    currency: str
    lost_reason: str
    objection_tags: list[str]
    actor: contact_schemas.UserRef | None
    at: datetime


class DealHistoryOut(Schema):
    stage_changes: list[StageChangeOut]
    status_changes: list[StatusChangeOut]


DealPage = page_schema(DealOut, "DealPage")
