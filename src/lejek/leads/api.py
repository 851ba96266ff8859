"""JSON API for leads: thin handlers over services and selectors."""

from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.core.listing import Version, errors, paginate
from lejek.leads import schemas, selectors, services
from lejek.leads.models import Lead

router = Router(tags=["leads"])


@router.get("", response={200: schemas.LeadPage, **errors()})
def list_leads(request: AuthedRequest, filters: Query[schemas.LeadFilters]):  # type: ignore[type-arg]
    qs = selectors.lead_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.LEAD_SORTS, "-created_at")


@router.post("", response={201: schemas.LeadOut, **errors(403)})
def create_lead(request: AuthedRequest, payload: schemas.LeadIn):
    return Status(201, services.lead_create(actor=request.user, data=payload.model_dump()))


@router.get("/{id:lead_id}", response={200: schemas.LeadOut, **errors(404)})
def get_lead(request: AuthedRequest, lead_id: int):
    return selectors.lead_detail(user=request.user, pk=lead_id)


@router.patch("/{id:lead_id}", response={200: schemas.LeadOut, **errors(403, 404, 409)})
def update_lead(request: AuthedRequest, lead_id: int, payload: schemas.LeadPatch):
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.lead_update(actor=request.user, lead=lead, data=data, version=payload.version)


@router.delete("/{id:lead_id}", response={204: None, **errors(404, 409)})
def delete_lead(request: AuthedRequest, lead_id: int, version: Version):
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    services.lead_delete(actor=request.user, lead=lead, version=version)
    return Status(204, None)


@router.post("/{id:lead_id}/status", response={200: schemas.LeadOut, **errors(404, 409)})
def set_lead_status(request: AuthedRequest, lead_id: int, payload: schemas.LeadStatusIn):
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    return services.lead_set_status(
        actor=request.user,
        lead=lead,
        status=payload.status,
        version=payload.version,
        disqualified_reason=payload.disqualified_reason,
    )


@router.post("/{id:lead_id}/restore", response={200: schemas.LeadOut, **errors(404, 409)})
def restore_lead(request: AuthedRequest, lead_id: int):
    lead = access.manageable_or_404(Lead, user=request.user, pk=lead_id)
    return services.lead_restore(actor=request.user, lead=lead)
