"""Input, output and filter schemas of the leads API."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import EmailStr, ValidationInfo, field_validator

from lejek.contacts import schemas as contact_schemas
from lejek.core.listing import Flag, Id, Int, IsoDate, PageParams, Version, page_schema
from lejek.leads.models import Lead, LeadStatus, Source

MAX_SCORE = 2**31 - 1
LONG_TEXT = 10_000


class LeadIn(Schema):
    title: str = Field("", max_length=200, description="Optional label; else the person's name")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    email: EmailStr | None = None
    phone: str = Field("", max_length=50)
    job_title: str = Field("", max_length=150)
    company_name: str = Field("", max_length=200)
    company_domain: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$", description="ISO 3166 alpha-2")
    source: Source = Source.OTHER
    campaign: str = Field("", max_length=200)
    status: LeadStatus = Field(Lead.Status.NEW, description="`converted` cannot be set by hand")
    disqualified_reason: str = Field("", max_length=200)
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    budget_currency: str = Field("", pattern=r"^([A-Za-z]{3})?$", description="ISO 4217 code")
    budget_confirmed: Flag = False
    authority: Lead.Authority = Lead.Authority.UNKNOWN
    need: str = Field("", max_length=LONG_TEXT)
    timeline: str = Field("", max_length=200)
    company_size: Int | None = Field(None, ge=0, le=10_000_000)
    pain_points: str = Field("", max_length=LONG_TEXT)
    owner_id: Id | None = None


class LeadPatch(Schema):
    version: Version
    title: str | None = Field(None, max_length=200)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    job_title: str | None = Field(None, max_length=150)
    company_name: str | None = Field(None, max_length=200)
    company_domain: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    country: str | None = Field(None, pattern=r"^([A-Za-z]{2})?$")
    source: Source | None = None
    campaign: str | None = Field(None, max_length=200)
    status: LeadStatus | None = None
    disqualified_reason: str | None = Field(None, max_length=200)
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    budget_currency: str | None = Field(None, pattern=r"^([A-Za-z]{3})?$")
    budget_confirmed: Flag | None = None
    authority: Lead.Authority | None = None
    need: str | None = Field(None, max_length=LONG_TEXT)
    timeline: str | None = Field(None, max_length=200)
    company_size: Int | None = Field(None, ge=0, le=10_000_000)
    pain_points: str | None = Field(None, max_length=LONG_TEXT)
    owner_id: Id | None = None


class LeadStatusIn(Schema):
    version: Version
    status: LeadStatus = Field(..., description="`converted` cannot be set by hand")
    disqualified_reason: str = Field(
        "", max_length=200, description="Required when the status is `disqualified`"
    )


class LeadOut(Schema):
    id: Int
    display_name: str
    title: str
    first_name: str
    last_name: str
    email: str
    phone: str
    job_title: str
    company_name: str
    company_domain: str
    industry: str
    country: str
    source: Source
    campaign: str
    status: LeadStatus
    disqualified_reason: str
    budget: Decimal | None
    budget_currency: str
    budget_confirmed: bool
    authority: Lead.Authority
    need: str
    timeline: str
    company_size: Int | None
    pain_points: str
    score: Int
    first_outbound_at: datetime | None
    response_time_seconds: float | None = Field(
        None, description="First outbound touch minus creation; null until the first touch"
    )
    qualified_at: datetime | None
    converted_at: datetime | None
    last_activity_at: datetime | None
    next_activity_at: datetime | None
    owner: contact_schemas.UserRef
    version: Int
    created_at: datetime
    updated_at: datetime


class LeadFilters(PageParams):
    q: str | None = Field(None, max_length=200, description="Words in the name, email or company")
    status: str | None = Field(
        None, max_length=200, description="One status or several, comma-separated"
    )
    source: Source | None = None
    owner_id: Id | None = None
    campaign: str | None = Field(None, max_length=200)
    created_from: IsoDate | None = Field(None, description="Created on or after this day")
    created_to: IsoDate | None = Field(None, description="Created on or before this day")
    min_score: Int | None = Field(None, ge=-MAX_SCORE, le=MAX_SCORE)

    @field_validator("status")
    @classmethod
    def known_statuses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        names = [part.strip().lower() for part in value.split(",") if part.strip()]
        unknown = [name for name in names if name not in Lead.Status.values]
        if unknown:
            choices = ", ".join(Lead.Status.values)
            raise ValueError(f"Unknown status '{unknown[0]}'. Use one or more of: {choices}.")
        return ",".join(dict.fromkeys(names)) or None

    @field_validator("created_to")
    @classmethod
    def not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("created_from")
        if value is not None and start is not None and value < start:
            raise ValueError("The end date is before the start date.")
        return value


LeadPage = page_schema(LeadOut, "LeadPage")
