"""JSON API for customers: thin handlers over the services and selectors."""

from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.contacts.models import Organization
from lejek.core.errors import NotFound
from lejek.core.listing import errors, paginate
from lejek.customers import revenue, schemas, selectors, services
from lejek.customers.models import Contract
from lejek.pipelines.models import Deal

router = Router(tags=["customers"])


@router.get("", response={200: schemas.CustomerPage, **errors()})
def list_customers(request: AuthedRequest, filters: Query[schemas.CustomerFilters]):  # type: ignore[type-arg]
    qs = selectors.customer_list(user=request.user, q=filters.q)
    page = paginate(qs, filters, selectors.CUSTOMER_SORTS, "name")
    revenue.attach_lifetime(page["items"])
    return page


@router.get("/metrics", response={200: schemas.CustomerMetricsOut, **errors()})
def customer_metrics(request: AuthedRequest, filters: Query[schemas.CustomerMetricsFilters]):  # type: ignore[type-arg]
    rate = selectors.renewal_rate(user=request.user, start=filters.start, end=filters.end)
    clv = selectors.clv(user=request.user)
    split = selectors.revenue_by_kind(user=request.user, start=filters.start, end=filters.end)
    return {
        "renewed": rate.renewed,
        "churned": rate.churned,
        "renewal_rate": rate.rate,
        "customers": clv.customers,
        "mean_revenue_per_year": clv.mean_revenue_per_year,
        "mean_lifetime_years": clv.mean_lifetime_years,
        "clv": clv.value,
        "currency": split["currency"],
        "revenue_by_kind": split["amounts"],
        "unconvertible_deals": split["unconvertible"],
    }


@router.get("/{id:org_id}", response={200: schemas.CustomerOut, **errors(404)})
def get_customer(request: AuthedRequest, org_id: int):
    found = selectors.customer_get(user=request.user, pk=org_id)
    if found is None:
        raise NotFound(f"Customer {org_id} was not found.")
    return found


@router.get("/{id:org_id}/contracts", response={200: list[schemas.ContractOut], **errors(404)})
def list_contracts(request: AuthedRequest, org_id: int):
    org = access.visible_or_404(Organization, user=request.user, pk=org_id)
    return list(Contract.objects.alive().filter(organization=org).order_by("-start_date", "-pk"))


@router.post(
    "/deals/{id:deal_id}/contracts", response={201: schemas.ContractOut, **errors(404, 409)}
)
def create_contract(request: AuthedRequest, deal_id: int, payload: schemas.ContractIn):
    deal = access.visible_or_404(
        Deal.objects.select_related("organization"), user=request.user, pk=deal_id
    )
    data = payload.model_dump(exclude_none=True)
    return Status(201, services.contract_create(actor=request.user, deal=deal, data=data))


@router.post(
    "/{id:org_id}/expansion", response={201: schemas.CustomerDealRef, **errors(403, 404, 409)}
)
def create_expansion(request: AuthedRequest, org_id: int, payload: schemas.ExpansionIn):
    deal = services.expansion_create(
        actor=request.user, organization_id=org_id, data=payload.model_dump(exclude_none=True)
    )
    return Status(201, deal)


@router.post("/{id:org_id}/referrals", response={201: schemas.CustomerLeadRef, **errors(404, 409)})
def create_referral(request: AuthedRequest, org_id: int, payload: schemas.ReferralIn):
    lead = services.referral_create(
        actor=request.user, organization_id=org_id, data=payload.model_dump(exclude_none=True)
    )
    return Status(201, lead)
