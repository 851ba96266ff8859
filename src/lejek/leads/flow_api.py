"""JSON API of the lead flow: web forms, routing, conversion, duplicates and merge."""

from typing import Any

from ninja import Router, Status

from lejek.accounts.auth import AuthedRequest
from lejek.core.errors import NotFound
from lejek.core.listing import errors
from lejek.leads import capture, conversion, duplicates, merge, routing, selectors
from lejek.leads import flow_schemas as schemas
from lejek.leads.models import RoutingRule, WebForm

leads_router = Router(tags=["leads"])
forms_router = Router(tags=["web forms"])
routing_router = Router(tags=["lead routing"])


def _duplicates(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": c["lead"].pk,
            "display_name": c["lead"].display_name,
            "email": c["lead"].email,
            "company_name": c["lead"].company_name,
            "status": c["lead"].status,
            "score": c["lead"].score,
            "owner_id": c["lead"].owner_id,
            "created_at": c["lead"].created_at,
            "reasons": c["reasons"],
        }
        for c in found
    ]


@leads_router.post("/duplicates", response={200: list[schemas.DuplicateOut], **errors()})
def check_duplicates(request: AuthedRequest, payload: schemas.DuplicateCheckIn):
    """Leads you can see that may be the one you are about to create."""
    return _duplicates(duplicates.find(user=request.user, values=payload.model_dump()))


@leads_router.get(
    "/{id:lead_id}/duplicates", response={200: list[schemas.DuplicateOut], **errors(404)}
)
def lead_duplicates(request: AuthedRequest, lead_id: int):
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    return _duplicates(duplicates.of_lead(user=request.user, lead=lead))


@leads_router.post("/{id:lead_id}/merge", response={200: schemas.LeadOut, **errors(403, 404, 409)})
def merge_lead(request: AuthedRequest, lead_id: int, payload: schemas.MergeIn):
    """Merge the lead `other_id` into this one: its activities, events, score rows, deals,
    tags and campaigns move here; its history is kept; it is then removed."""
    return merge.lead_merge(
        actor=request.user,
        keep_id=lead_id,
        other_id=payload.other_id,
        keep_version=payload.version,
        other_version=payload.other_version,
    )


@leads_router.post(
    "/{id:lead_id}/convert", response={201: schemas.ConvertOut, **errors(403, 404, 409)}
)
def convert_lead(request: AuthedRequest, lead_id: int, payload: schemas.ConvertIn):
    """Convert into a deal with a person and an organization (existing ones when they match)."""
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    data = payload.model_dump(exclude={"version"}, mode="json")
    data["amount"] = payload.amount
    result = conversion.lead_convert(
        actor=request.user, lead=lead, version=payload.version, data=data
    )
    return Status(
        201,
        {
            "lead": result.lead,
            "deal_id": result.deal.pk,
            "person_id": result.person.pk if result.person else None,
            "organization_id": result.organization.pk if result.organization else None,
            "reused": result.reused,
        },
    )


@leads_router.post("/{id:lead_id}/route", response={200: schemas.LeadOut, **errors(403, 404, 409)})
def route_lead(request: AuthedRequest, lead_id: int, payload: schemas.VersionIn):
    """Give the lead to whoever the routing rules pick now (managers and admins)."""
    lead = selectors.lead_detail(user=request.user, pk=lead_id)
    return routing.lead_route(actor=request.user, lead=lead, version=payload.version)


# --- web forms ----------------------------------------------------------------------------


def _form(pk: int) -> WebForm:
    found = WebForm.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Web form {pk} was not found.")
    return found


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_admin or request.user.is_manager):
        raise capture.Forbidden("Only managers and administrators see the lead settings.")


@forms_router.get("", response={200: list[schemas.WebFormOut], **errors(403)})
def list_forms(request: AuthedRequest):
    _staff(request)
    return list(WebForm.objects.order_by("name", "pk"))


@forms_router.post("", response={201: schemas.WebFormOut, **errors(403)})
def create_form(request: AuthedRequest, payload: schemas.WebFormIn):
    return Status(201, capture.form_create(actor=request.user, data=payload.model_dump()))


@forms_router.get("/{id:form_id}", response={200: schemas.WebFormOut, **errors(403, 404)})
def get_form(request: AuthedRequest, form_id: int):
    _staff(request)
    return _form(form_id)


@forms_router.patch("/{id:form_id}", response={200: schemas.WebFormOut, **errors(403, 404, 409)})
def update_form(request: AuthedRequest, form_id: int, payload: schemas.WebFormPatch):
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return capture.form_update(
        actor=request.user, form=_form(form_id), data=data, version=payload.version
    )


# --- routing rules ------------------------------------------------------------------------


def _rule(pk: int) -> RoutingRule:
    found = RoutingRule.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Routing rule {pk} was not found.")
    return found


@routing_router.get("", response={200: list[schemas.RoutingRuleOut], **errors(403)})
def list_routing_rules(request: AuthedRequest):
    _staff(request)
    return list(RoutingRule.objects.order_by("position", "pk"))


@routing_router.post("", response={201: schemas.RoutingRuleOut, **errors(403)})
def create_routing_rule(request: AuthedRequest, payload: schemas.RoutingRuleIn):
    data = payload.model_dump(mode="json")
    return Status(201, routing.rule_create(actor=request.user, data=data))


@routing_router.patch(
    "/{id:rule_id}", response={200: schemas.RoutingRuleOut, **errors(403, 404, 409)}
)
def update_routing_rule(request: AuthedRequest, rule_id: int, payload: schemas.RoutingRulePatch):
    data = payload.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
    return routing.rule_update(
        actor=request.user, rule=_rule(rule_id), data=data, version=payload.version
    )


@routing_router.delete("/{id:rule_id}", response={204: None, **errors(403, 404)})
def delete_routing_rule(request: AuthedRequest, rule_id: int):
    routing.rule_delete(actor=request.user, rule=_rule(rule_id))
    return Status(204, None)
