"""Schemas of the lead flow API: web forms, routing rules, conversion, duplicates, merge."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from lejek.core.listing import Flag, Id, Int, Version
from lejek.leads.models import Source
from lejek.leads.schemas import LeadOut

__all__ = ["LeadOut"]


class WebFormIn(Schema):
    name: str = Field(..., max_length=120)
    slug: str = Field(..., max_length=60, description="The form posts to /f/<slug>/")
    fields: dict[str, str] = Field(
        ..., description='Form field name → lead field, e.g. {"company": "company_name"}'
    )
    required: list[str] = Field(default_factory=list, max_length=40)
    honeypot: str = Field("website", max_length=60, description="Must stay empty; bots fill it")
    secret: str = Field("", max_length=120, description="When set, posts must send `_secret`")
    per_hour: Int = Field(20, ge=1, le=10_000, description="Submissions per address per hour")
    source: Source = Source.WEB_FORM
    campaign: str = Field("", max_length=200)
    default_owner_id: Id | None = Field(None, description="Owner when no routing rule applies")
    thank_you: str = Field("", max_length=500, description="http(s) address to send people to")
    is_active: Flag = True


class WebFormPatch(Schema):
    version: Version
    name: str | None = Field(None, max_length=120)
    slug: str | None = Field(None, max_length=60)
    fields: dict[str, str] | None = None
    required: list[str] | None = Field(None, max_length=40)
    honeypot: str | None = Field(None, max_length=60)
    secret: str | None = Field(None, max_length=120)
    per_hour: Int | None = Field(None, ge=1, le=10_000)
    source: Source | None = None
    campaign: str | None = Field(None, max_length=200)
    default_owner_id: Id | None = None
    thank_you: str | None = Field(None, max_length=500)
    is_active: Flag | None = None


class WebFormOut(Schema):
    id: Int
    name: str
    slug: str
    fields: dict[str, str]
    required: list[str]
    honeypot: str
    has_secret: bool
    per_hour: Int
    source: str
    campaign: str
    default_owner_id: Int | None
    thank_you: str
    is_active: bool
    version: Int

    @staticmethod
    def resolve_has_secret(obj: object) -> bool:
        return bool(getattr(obj, "secret", ""))


class RoutingRuleIn(Schema):
    name: str = Field(..., max_length=120)
    position: Int = Field(0, ge=0, le=10_000_000)
    source: Source | None = None
    countries: list[str] = Field(default_factory=list, max_length=50)
    min_company_size: Int | None = Field(None, ge=0, le=10_000_000)
    max_company_size: Int | None = Field(None, ge=0, le=10_000_000)
    team_id: Id | None = Field(None, description="Hand leads to the team's reps in turn")
    user_id: Id | None = Field(None, description="…or to this rep")
    is_active: Flag = True


class RoutingRulePatch(Schema):
    version: Version
    name: str | None = Field(None, max_length=120)
    position: Int | None = Field(None, ge=0, le=10_000_000)
    source: Source | None = None
    countries: list[str] | None = Field(None, max_length=50)
    min_company_size: Int | None = Field(None, ge=0, le=10_000_000)
    max_company_size: Int | None = Field(None, ge=0, le=10_000_000)
    team_id: Id | None = None
    user_id: Id | None = None
    is_active: Flag | None = None


class RoutingRuleOut(Schema):
    id: Int
    name: str
    position: Int
    source: str
    countries: list[str]
    min_company_size: Int | None
    max_company_size: Int | None
    team_id: Int | None
    user_id: Int | None
    is_active: bool
    version: Int


class VersionIn(Schema):
    version: Version


class ConvertIn(Schema):
    version: Version
    pipeline_id: Id
    stage_id: Id | None = None
    title: str = Field("", max_length=200, description="Default: the company or the lead's name")
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$")
    expected_close_date: date | None = None
    organization_id: Id | None = Field(None, description="Use this organization, not a match")
    person_id: Id | None = Field(None, description="Use this person, not a match")


class ConvertOut(Schema):
    lead: LeadOut
    deal_id: Int
    person_id: Int | None
    organization_id: Int | None
    reused: list[str] = Field(description="Which existing records were used instead of new ones")


class DuplicateCheckIn(Schema):
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    company_name: str = Field("", max_length=200)
    company_domain: str = Field("", max_length=200)


class DuplicateOut(Schema):
    id: Int
    display_name: str
    email: str
    company_name: str
    status: str
    score: Int
    owner_id: Int
    created_at: datetime
    reasons: list[str]


class MergeIn(Schema):
    version: Version = Field(description="The version of the lead that stays")
    other_id: Id = Field(description="The duplicate, merged into this lead and then removed")
    other_version: Version
