"""Tags through the API: list them, tag and untag records, find the records with a tag."""

from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema

from lejek.accounts.auth import AuthedRequest
from lejek.core import tags
from lejek.core.errors import NotFound
from lejek.core.listing import Id, errors
from lejek.core.models import Tag, Tagging
from lejek.core.tag_targets import model_of

router = Router(tags=["tags"])

Kind = Literal["deal", "lead", "person", "organization", "activity"]


class TagOut(Schema):
    id: int
    name: str


class ApplyIn(Schema):
    entity_type: Kind
    ids: list[Id] = Field(..., min_length=1, max_length=500)
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)


class ApplyOut(Schema):
    added: int
    removed: int


class TaggedOut(Schema):
    entity_type: str
    tag: str
    ids: list[int]
    truncated: bool


@router.get("", response={200: list[TagOut], **errors()})
def list_tags(request: AuthedRequest):
    return Tag.objects.order_by("name")[:1000]


@router.post("/apply", response={200: ApplyOut, **errors(404)})
def apply_tags(request: AuthedRequest, payload: ApplyIn):
    """Add and remove tags on records you can see; all of them or none (404 names the first
    record you cannot see)."""
    model = model_of(payload.entity_type)
    ids = list(dict.fromkeys(payload.ids))
    found = model.objects.visible_to(request.user).in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise NotFound(f"{payload.entity_type.capitalize()} {missing[0]} was not found.")
    names = [tags.clean_name(n) for n in payload.add]
    gone = [tags.clean_name(n) for n in payload.remove]
    added = removed = 0
    with transaction.atomic():
        for pk in ids:
            for name in names:
                added += tags.add(actor=request.user, instance=found[pk], name=name)
            for name in gone:
                removed += tags.remove(actor=request.user, instance=found[pk], name=name)
    return {"added": added, "removed": removed}


class TaggedQuery(Schema):
    entity_type: Kind
    tag: str = Field(..., min_length=1, max_length=tags.MAX_NAME)
    limit: int = Field(500, ge=1, le=5000)


@router.get("/records", response={200: TaggedOut, **errors()})
def tagged_records(request: AuthedRequest, query: Query[TaggedQuery]):  # type: ignore[type-arg]
    """Ids of the records of one kind that carry `tag` and that you can see, newest first."""
    model = model_of(query.entity_type)
    qs = tags.tagged(model.objects.visible_to(request.user), query.tag).order_by("-pk")
    ids = list(qs.values_list("pk", flat=True)[: query.limit + 1])
    return {
        "entity_type": query.entity_type,
        "tag": query.tag,
        "ids": ids[: query.limit],
        "truncated": len(ids) > query.limit,
    }


@router.get("/{kind}/{id:record_id}", response={200: list[str], **errors(404)})
def record_tags(request: AuthedRequest, kind: Kind, record_id: int):
    model = model_of(kind)
    record = model.objects.visible_to(request.user).filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"{kind.capitalize()} {record_id} was not found.")
    return list(
        Tagging.objects.filter(entity_type=model._meta.model_name, entity_id=record.pk)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )
