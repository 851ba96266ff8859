"""API shapes for rules, checklists, email templates, the calendar, webhooks and runs."""

import datetime
from typing import Any

from ninja import Field, Schema

from lejek.automation.models import (
    Anchor,
    Campaign,
    EntityType,
    Offset,
    StepKind,
    Trigger,
)
from lejek.automation.models.campaigns import CampaignKind
from lejek.automation.models.runs import AutomationRunStatus
from lejek.contacts.schemas import UserRef
from lejek.core.listing import Flag, Id, Int, IsoDate, PageParams, Version, page_schema


class ActionSpec(Schema):
    type: str = Field(..., min_length=1, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)


class ConditionSpec(Schema):
    field: str = Field(..., min_length=1, max_length=100)
    op: str = Field("eq", max_length=20)
    value: Any = None


class RuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    entity_type: EntityType
    trigger: Trigger
    trigger_params: dict[str, Any] = Field(default_factory=dict)
    conditions: list[ConditionSpec] = Field(default_factory=list, max_length=20)
    actions: list[ActionSpec] = Field(..., min_length=1, max_length=20)
    is_active: Flag = True


class RulePatch(Schema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    trigger: Trigger | None = None
    trigger_params: dict[str, Any] | None = None
    conditions: list[ConditionSpec] | None = Field(None, max_length=20)
    actions: list[ActionSpec] | None = Field(None, min_length=1, max_length=20)
    is_active: Flag | None = None


class RuleOut(Schema):
    id: Int
    name: str
    description: str
    entity_type: str
    trigger: str
    trigger_params: dict[str, Any]
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    is_active: bool
    created_by: UserRef | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: Int


class DryRunIn(Schema):
    entity_id: Id


class ConditionResult(Schema):
    field: str
    op: str
    value: Any = None
    actual: str | None
    holds: bool


class ActionPreview(Schema):
    type: str
    description: str


class DryRunOut(Schema):
    rule_id: Int
    entity_type: str
    entity_id: Int
    trigger: str
    conditions: list[ConditionResult]
    conditions_hold: bool
    actions: list[ActionPreview]


class StepIn(Schema):
    id: Id | None = None
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    kind: StepKind = StepKind.MANUAL
    required: Flag = False
    actions: list[ActionSpec] = Field(default_factory=list, max_length=10)
    anchor: Anchor = Anchor.STAGE_ENTERED
    offset_value: Int = Field(0, ge=-10_000, le=10_000)
    offset_unit: Offset = Offset.HOURS


class ChecklistIn(Schema):
    steps: list[StepIn] = Field(default_factory=list, max_length=50)
    required_fields: list[str] = Field(default_factory=list, max_length=20)


class StepOut(Schema):
    id: Int
    order: Int
    title: str
    description: str
    kind: str
    required: bool
    actions: list[dict[str, Any]]
    anchor: str
    offset_value: Int
    offset_unit: str


class ChecklistOut(Schema):
    stage_id: Int
    required_fields: list[str]
    steps: list[StepOut]


class DealStepOut(Schema):
    id: Int
    title: str
    kind: str
    required: bool
    status: str
    done_at: datetime.datetime | None
    done_by: UserRef | None
    note: str
    due_at: datetime.datetime | None

    @staticmethod
    def resolve_due_at(obj: Any) -> datetime.datetime | None:
        action = getattr(obj, "scheduled_action", None)
        return action.due_at if action is not None else None


class MissingOut(Schema):
    kind: str
    title: str
    id: Int | None = None
    field: str | None = None


class DealChecklistOut(Schema):
    deal_id: Int
    stage_id: Int
    stage: str
    steps: list[DealStepOut]
    missing: list[MissingOut]


class StepDoneIn(Schema):
    note: str = Field("", max_length=300)


class EmailTemplateIn(Schema):
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    language: str = Field("en", min_length=2, max_length=8, pattern=r"^[a-z]{2}(-[a-z]{2})?$")
    name: str = Field(..., min_length=1, max_length=120)
    subject: str = Field(..., min_length=1, max_length=300)
    body: str = Field(..., min_length=1, max_length=20_000)
    attach_invite: Flag = False


class EmailTemplatePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    subject: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    attach_invite: Flag | None = None


class EmailTemplateOut(Schema):
    id: Int
    key: str
    language: str
    name: str
    subject: str
    body: str
    attach_invite: bool
    updated_at: datetime.datetime


class PreviewIn(Schema):
    entity_type: EntityType
    entity_id: Id
    to: str = Field("contact", max_length=254)


class PreviewOut(Schema):
    subject: str
    body: str
    to: list[str]
    has_invite: bool


class HolidayIn(Schema):
    date: IsoDate
    name: str = Field(..., min_length=1, max_length=120)


class HolidayFilters(Schema):
    year: Int | None = Field(None, ge=1900, le=2200)


class HolidayOut(Schema):
    id: Int
    date: IsoDate
    name: str


class WebhookIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    url: str = Field(..., min_length=1, max_length=500)
    event_types: list[str] = Field(..., min_length=1, max_length=30)
    secret: str | None = Field(None, min_length=16, max_length=100)
    is_active: Flag = True


class WebhookPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    url: str | None = Field(None, min_length=1, max_length=500)
    event_types: list[str] | None = Field(None, min_length=1, max_length=30)
    secret: str | None = Field(None, min_length=16, max_length=100)
    is_active: Flag | None = None


class WebhookOut(Schema):
    id: Int
    name: str
    url: str
    event_types: list[str]
    is_active: bool
    created_at: datetime.datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="Shown once: keep it to verify signatures")


class DeliveryOut(Schema):
    id: Int
    event_type: str
    status: str
    attempts: Int
    max_attempts: Int
    response_status: Int | None
    last_error: str
    next_attempt_at: datetime.datetime | None
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None


class RunFilters(PageParams):
    status: AutomationRunStatus | None = None
    entity_type: EntityType | None = None
    entity_id: Id | None = None
    rule_id: Id | None = None


class RunOut(Schema):
    id: Int
    source: str
    title: str
    rule_id: Int | None
    entity_type: str
    entity_id: Int
    trigger: str
    status: str
    attempts: Int
    max_attempts: Int
    next_attempt_at: datetime.datetime | None
    results: list[str]
    last_error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class CampaignIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: CampaignKind = Campaign.Kind.CAMPAIGN


class CampaignOut(Schema):
    id: Int
    name: str
    kind: str
    created_at: datetime.datetime


class MembershipOut(Schema):
    id: Int
    entity_type: str
    entity_id: Int
    added_at: datetime.datetime
    removed_at: datetime.datetime | None
    note: str


class ScheduledOut(Schema):
    id: Int
    title: str
    anchor: str
    offset_value: Int
    offset_unit: str
    due_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    status: str
    note: str


class ActionTypeOut(Schema):
    type: str
    label: str
    entity_types: list[str] | None
    params: dict[str, Any]


RunPage = page_schema(RunOut, "RunPage")
DeliveryPage = page_schema(DeliveryOut, "DeliveryPage")
MembershipPage = page_schema(MembershipOut, "MembershipPage")
