"""JSON API for organizations and people: thin handlers over services and selectors."""

from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.contacts import schemas, selectors, services
from lejek.contacts.models import Organization, Person
from lejek.core.listing import Version, errors, paginate

organizations_router = Router(tags=["organizations"])
people_router = Router(tags=["people"])


@organizations_router.get("", response={200: schemas.OrganizationPage, **errors()})
def list_organizations(request: AuthedRequest, filters: Query[schemas.OrganizationFilters]):  # type: ignore[type-arg]
    qs = selectors.organization_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.ORGANIZATION_SORTS, "name")


@organizations_router.post("", response={201: schemas.OrganizationOut, **errors(403)})
def create_organization(request: AuthedRequest, payload: schemas.OrganizationIn):
    return Status(201, services.organization_create(actor=request.user, data=payload.model_dump()))


@organizations_router.get("/{id:org_id}", response={200: schemas.OrganizationOut, **errors(404)})
def get_organization(request: AuthedRequest, org_id: int):
    return access.visible_or_404(Organization, user=request.user, pk=org_id)


@organizations_router.patch(
    "/{id:org_id}", response={200: schemas.OrganizationOut, **errors(403, 404, 409)}
)
def update_organization(request: AuthedRequest, org_id: int, payload: schemas.OrganizationPatch):
    org = access.visible_or_404(Organization, user=request.user, pk=org_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.organization_update(
        actor=request.user, organization=org, data=data, version=payload.version
    )


@organizations_router.delete("/{id:org_id}", response={204: None, **errors(404, 409)})
def delete_organization(request: AuthedRequest, org_id: int, version: Version):
    org = access.visible_or_404(Organization, user=request.user, pk=org_id)
    services.record_delete(actor=request.user, instance=org, version=version)
    return Status(204, None)


@people_router.get("", response={200: schemas.PersonPage, **errors()})
def list_people(request: AuthedRequest, filters: Query[schemas.PersonFilters]):  # type: ignore[type-arg]
    qs = selectors.person_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.PERSON_SORTS, "last_name")


@people_router.post("", response={201: schemas.PersonOut, **errors(403)})
def create_person(request: AuthedRequest, payload: schemas.PersonIn):
    return Status(201, services.person_create(actor=request.user, data=payload.model_dump()))


@people_router.get("/{id:person_id}", response={200: schemas.PersonOut, **errors(404)})
def get_person(request: AuthedRequest, person_id: int):
    return access.visible_or_404(
        Person.objects.select_related("organization"), user=request.user, pk=person_id
    )


@people_router.patch("/{id:person_id}", response={200: schemas.PersonOut, **errors(403, 404, 409)})
def update_person(request: AuthedRequest, person_id: int, payload: schemas.PersonPatch):
    person = access.visible_or_404(Person, user=request.user, pk=person_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.person_update(
        actor=request.user, person=person, data=data, version=payload.version
    )


@people_router.delete("/{id:person_id}", response={204: None, **errors(404, 409)})
def delete_person(request: AuthedRequest, person_id: int, version: Version):
    person = access.visible_or_404(Person, user=request.user, pk=person_id)
    services.record_delete(actor=request.user, instance=person, version=version)
    return Status(204, None)
