import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from lejek.activities.models import Activity, ActivityKind
from lejek.contacts.schemas import OrganizationRef, UserRef
from lejek.core.listing import Flag, Id, Int, IsoDate, IsoMoment, PageParams, Version, page_schema


def _plausible(value: datetime.datetime) -> datetime.datetime:
    # Far-off years overflow when converted to UTC or stepped by a day; no activity needs them.
    if not 1900 <= value.year <= 2200:
        raise ValueError("Give a date between the years 1900 and 2200.")
    return value


Moment = Annotated[IsoMoment, AfterValidator(_plausible)]


def _plausible_day(value: datetime.date) -> datetime.date:
    if not 1900 <= value.year <= 2200:
        raise ValueError("Give a date between the years 1900 and 2200.")
    return value


Day = Annotated[IsoDate, AfterValidator(_plausible_day)]


class ActivityIn(Schema):
    kind: ActivityKind
    subject: str = Field("", max_length=200)
    body: str = Field("", max_length=100_000)
    due_at: Moment | None = None
    done_at: Moment | None = Field(None, description="Set to log something already done")
    duration_minutes: Int | None = Field(None, ge=0, le=100_000)
    outcome: str = Field("", max_length=200)
    direction: Activity.Direction | None = Field(
        None, description="Emails and calls only; outbound when not given"
    )
    is_reply: Flag = False
    is_positive: Flag | None = Field(None, description="For replies: was it positive?")
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None
    owner_id: Id | None = None


class ActivityPatch(Schema):
    version: Version
    kind: ActivityKind | None = None
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=100_000)
    due_at: Moment | None = None
    duration_minutes: Int | None = Field(None, ge=0, le=100_000)
    outcome: str | None = Field(None, max_length=200)
    direction: Activity.Direction | None = None
    is_reply: Flag | None = None
    is_positive: Flag | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None
    owner_id: Id | None = None


class VersionIn(Schema):
    version: Version


class CompleteIn(Schema):
    version: Version
    outcome: str | None = Field(None, max_length=200, description="Kept as it is if not given")
    duration_minutes: Int | None = Field(None, ge=0, le=100_000)
    done_at: Moment | None = Field(None, description="When it was done; now if not given")
    next: ActivityIn | None = Field(
        None,
        description="The next activity to schedule (needs `due_at`); links and owner "
        "default to this activity's",
    )


class DealRef(Schema):
    id: Int
    title: str


class LeadRef(Schema):
    id: Int
    display_name: str


class PersonRef(Schema):
    id: Int
    full_name: str


class ActivityOut(Schema):
    id: Int
    kind: str
    subject: str
    body: str
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    is_done: bool
    duration_minutes: Int | None
    outcome: str
    direction: str
    is_reply: bool
    is_positive: bool | None
    deal: DealRef | None
    lead: LeadRef | None
    person: PersonRef | None
    organization: OrganizationRef | None
    owner: UserRef
    created_by: UserRef | None
    version: Int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CompleteOut(Schema):
    activity: ActivityOut
    next_activity: ActivityOut | None


class ActivityFilters(PageParams):
    kind: ActivityKind | None = None
    owner_id: Id | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    person_id: Id | None = None
    organization_id: Id | None = None
    done: bool | None = None
    due_from: Moment | None = Field(None, description="Due at or after this time")
    due_to: Moment | None = Field(None, description="Due before this time")
    q: str | None = Field(None, max_length=200, description="Text in the subject")


class MyDayOut(Schema):
    date: IsoDate
    overdue: list[ActivityOut]
    overdue_truncated: bool
    due_today: list[ActivityOut]
    due_today_truncated: bool


class TimelineParams(Schema):
    limit: Int = Field(50, ge=1, le=200)
    offset: Int = Field(0, ge=0, le=1_000_000)


class TimelineItem(Schema):
    type: str = Field(..., description="activity, audit, stage_change or status_change")
    id: Int
    at: datetime.datetime
    title: str
    body: str
    actor: UserRef | None
    subtype: str = Field(..., description="Activity kind, audit action, stage reason or status")
    field: str
    old_value: str | None
    new_value: str | None
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    outcome: str
    direction: str


class TimelinePage(Schema):
    items: list[TimelineItem]
    limit: Int
    offset: Int
    has_next: bool


ActivityPage = page_schema(ActivityOut, "ActivityPage")
