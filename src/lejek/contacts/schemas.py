from datetime import datetime

from ninja import Field, Schema
from pydantic import EmailStr

from lejek.core.listing import Id, Int, IsoDate, PageParams, Version, page_schema


class UserRef(Schema):
    id: Int
    username: str
    display_name: str


class OrganizationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    domain: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    employees: Int | None = Field(None, ge=0, le=10_000_000)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$", description="ISO 3166 alpha-2")
    city: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=50)
    website: str = Field("", max_length=300)
    owner_id: Id | None = None


class OrganizationPatch(Schema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    employees: Int | None = Field(None, ge=0, le=10_000_000)
    country: str | None = Field(None, pattern=r"^([A-Za-z]{2})?$")
    city: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=50)
    website: str | None = Field(None, max_length=300)
    owner_id: Id | None = None


class OrganizationOut(Schema):
    id: Int
    name: str
    domain: str
    industry: str
    employees: Int | None
    country: str
    city: str
    address: str
    phone: str
    website: str
    is_customer: bool
    customer_since: IsoDate | None
    owner: UserRef
    version: Int
    created_at: datetime
    updated_at: datetime


class OrganizationFilters(PageParams):
    q: str | None = Field(None, max_length=200)
    owner_id: Id | None = None
    is_customer: bool | None = None
    industry: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)


class OrganizationRef(Schema):
    id: Int
    name: str


class PersonIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str = Field("", max_length=50)
    job_title: str = Field("", max_length=150)
    organization_id: Id | None = None
    owner_id: Id | None = None


class PersonPatch(Schema):
    version: Version
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    job_title: str | None = Field(None, max_length=150)
    organization_id: Id | None = None
    owner_id: Id | None = None


class PersonOut(Schema):
    id: Int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    job_title: str
    organization: OrganizationRef | None
    owner: UserRef
    version: Int
    created_at: datetime
    updated_at: datetime


class PersonFilters(PageParams):
    q: str | None = Field(None, max_length=200)
    owner_id: Id | None = None
    organization_id: Id | None = None


OrganizationPage = page_schema(OrganizationOut, "OrganizationPage")
PersonPage = page_schema(PersonOut, "PersonPage")
