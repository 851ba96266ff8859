from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from lejek.core.listing import Amount, CurrencyCode, Id, Int, IsoDate, PageParams, page_schema


class CustomerOut(Schema):
    id: Int
    name: str
    customer_since: IsoDate | None
    owner_id: Int
    revenue: Decimal = Field(
        description="Σ won deals in the reporting currency, at the rate of each close date"
    )
    unconvertible_deals: Int = Field(description="won deals left out: no exchange rate")
    won_deals: Int
    open_renewals: Int
    renewal_date: date | None = Field(description="the earliest end of an active contract")
    last_contact_at: datetime | None
    open_tasks: Int
    version: Int


CustomerPage = page_schema(CustomerOut, "CustomerPage")


class CustomerFilters(PageParams):
    q: str | None = Field(None, max_length=200)


class ContractIn(Schema):
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    term_years: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    amount: Amount | None = None
    currency: CurrencyCode | None = None
    renewal_terms: str | None = Field(None, pattern=r"^(manual|auto)$")
    notice_days: Int | None = Field(None, ge=0, le=3650)
    notes: str = Field("", max_length=500)


class ContractOut(Schema):
    id: Int
    organization_id: Int
    deal_id: Int
    start_date: date
    end_date: date
    term_years: Decimal
    amount: Decimal | None
    currency: str
    renewal_terms: str
    notice_days: Int
    renew_on: date
    status: str
    version: Int


class ExpansionIn(Schema):
    title: str = Field("", max_length=200)
    amount: Amount | None = None
    currency: CurrencyCode | None = None
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    owner_id: Id | None = None


class CustomerDealRef(Schema):
    id: Int
    title: str
    pipeline_id: Int
    stage_id: Int
    owner_id: Int
    version: Int


class ReferralIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    company_name: str = Field("", max_length=200)
    job_title: str = Field("", max_length=150)
    referred_by_id: Id | None = None


class CustomerLeadRef(Schema):
    id: Int
    source: str
    campaign: str


class CustomerMetricsOut(Schema):
    renewed: Int
    churned: Int
    renewal_rate: Decimal | None = Field(description="renewed ÷ (renewed + churned) × 100")
    customers: Int
    mean_revenue_per_year: Decimal | None
    mean_lifetime_years: Decimal | None
    clv: Decimal | None
    currency: str = Field(description="the reporting currency of every amount here")
    revenue_by_kind: dict[str, Decimal] = Field(
        description="won revenue of deals closed in [start, end): new, expansion, renewal"
    )
    unconvertible_deals: Int = Field(description="won deals left out: no exchange rate")


class CustomerMetricsFilters(Schema):
    start: IsoDate | None = None
    end: IsoDate | None = None
