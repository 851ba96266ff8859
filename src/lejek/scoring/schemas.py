"""Input and output schemas of the scoring API: engagement events, rules, thresholds, scores."""

import datetime
import json
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from lejek.core.listing import Flag, Id, Int, IsoMoment, PageParams, Version, page_schema
from lejek.scoring.models import Decay, EventType, Match, RuleKind, ThresholdKind

MAX_EVENTS = 1000
MAX_DATA_CHARS = 4000
# A sender's clock a little ahead of ours must not make an event invalid.
CLOCK_SKEW = datetime.timedelta(minutes=5)


class EngagementEventIn(Schema):
    event_id: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="The sender's id of the event: an id already received is skipped",
    )
    type: EventType
    lead_id: Id | None = Field(None, description="The lead; or give its `email`")
    email: str | None = Field(None, max_length=254)
    occurred_at: IsoMoment | None = Field(None, description="When it happened (default: now)")
    url: str = Field("", max_length=2000, description="The page visited or the link clicked")
    source: str = Field("", max_length=50, description="The sending system, e.g. 'newsletter'")
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("occurred_at")
    @classmethod
    def _not_future(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        if value > timezone.now() + CLOCK_SKEW:
            raise ValueError("An event cannot happen in the future.")
        if value.year < 1900:
            raise ValueError("Give a date after 1900.")
        return value

    @field_validator("data")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, ensure_ascii=False)) > MAX_DATA_CHARS:
            raise ValueError(f"At most {MAX_DATA_CHARS} characters of data.")
        return value

    @model_validator(mode="after")
    def _lead_named(self) -> "EngagementEventIn":
        if self.lead_id is None and not (self.email or "").strip():
            raise ValueError("Name the lead by lead_id or email.")
        return self


class EngagementBatchIn(Schema):
    """Either {"events": [...]} or a single event object."""

    events: list[EngagementEventIn] = Field(..., min_length=1, max_length=MAX_EVENTS)

    @model_validator(mode="before")
    @classmethod
    def _single(cls, data: Any) -> Any:
        if isinstance(data, dict) and "events" not in data:
            return {"events": [data]}
        return data


class EventResultOut(Schema):
    event_id: str
    status: Literal["created", "duplicate"]
    id: int | None
    lead_id: int | None
    points: int


class LeadScoreOut(Schema):
    lead_id: int
    score: int


class IngestOut(Schema):
    created: int
    duplicates: int
    items: list[EventResultOut]
    scores: list[LeadScoreOut]


class EngagementEventOut(Schema):
    id: int
    event_id: str = Field(..., alias="external_id")
    lead_id: int
    type: str
    url: str
    source: str
    data: dict[str, Any]
    occurred_at: datetime.datetime
    received_at: datetime.datetime


EngagementEventPage = page_schema(EngagementEventOut, "EngagementEventPage")


class EngagementFilters(PageParams):
    lead_id: int | None = Field(None, ge=1, le=2**63 - 1)
    type: EventType | None = None


class ConditionIn(Schema):
    field: str = Field(..., max_length=60)
    op: str = Field(..., max_length=20)
    value: Any = None


class RuleIn(Schema):
    name: str = Field(..., max_length=120)
    kind: RuleKind
    event_type: EventType | Literal[""] = ""
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=10)
    match: Match = Match.ALL
    points: Int = Field(..., ge=-1000, le=1000)
    cap_count: Int | None = Field(None, ge=1, le=100_000)
    cap_period_days: Int | None = Field(None, ge=1, le=3650)
    decay: Decay = Decay.NONE
    decay_days: Int | None = Field(None, ge=1, le=3650)
    is_active: Flag = True


class RulePatch(Schema):
    version: Version
    name: str | None = Field(None, max_length=120)
    event_type: EventType | Literal[""] | None = None
    conditions: list[ConditionIn] | None = Field(None, max_length=10)
    match: Match | None = None
    points: Int | None = Field(None, ge=-1000, le=1000)
    cap_count: Int | None = Field(None, ge=1, le=100_000)
    cap_period_days: Int | None = Field(None, ge=1, le=3650)
    decay: Decay | None = None
    decay_days: Int | None = Field(None, ge=1, le=3650)
    is_active: Flag | None = None


class RuleOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    event_type: str
    conditions: list[dict[str, Any]]
    match: str
    points: int
    cap_count: int | None
    cap_period_days: int | None
    decay: str
    decay_days: int | None
    is_active: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ThresholdIn(Schema):
    name: str = Field(..., max_length=120)
    kind: ThresholdKind
    score: Int = Field(..., ge=-100_000, le=100_000)
    assign_to_id: Id | None = Field(None, description="Give crossing leads to this rep")
    task_subject: str = Field("", max_length=200, description="Create a task with this subject")
    task_due_days: Int = Field(1, ge=0, le=365)
    campaign_id: Id | None = Field(None, description="Add crossing leads to this campaign")
    campaign_name: str | None = Field(None, max_length=120, description="…or to one by name")
    is_active: Flag = True


class ThresholdPatch(Schema):
    version: Version
    name: str | None = Field(None, max_length=120)
    kind: ThresholdKind | None = None
    score: Int | None = Field(None, ge=-100_000, le=100_000)
    assign_to_id: Id | None = None
    task_subject: str | None = Field(None, max_length=200)
    task_due_days: Int | None = Field(None, ge=0, le=365)
    campaign_id: Id | None = None
    campaign_name: str | None = Field(None, max_length=120)
    is_active: Flag | None = None


class ThresholdOut(Schema):
    id: int
    name: str
    kind: str
    score: int
    assign_to_id: int | None
    task_subject: str
    task_due_days: int
    campaign_id: int | None
    is_active: bool
    version: int


class ScoreLineOut(Schema):
    rule_id: int
    rule: str
    kind: str
    points: int
    times: int


class ScoreEntryOut(Schema):
    id: int
    rule_id: int
    rule: str
    reason: str
    points: int
    event_id: int | None
    event_type: str | None
    at: datetime.datetime


class CrossingOut(Schema):
    threshold_id: int
    threshold: str
    score_before: int
    score_after: int
    at: datetime.datetime
    result: str


class LeadScoreDetailOut(Schema):
    lead_id: int
    score: int
    ledger_total: int
    lines: list[ScoreLineOut]
    entries: list[ScoreEntryOut]
    crossings: list[CrossingOut]


class RescoreOut(Schema):
    detail: str
