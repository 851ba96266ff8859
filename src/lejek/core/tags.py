"""Tags on records: add, remove, list, and the records carrying a tag.

A tag is found by name without regard to case ("vip" is "VIP"); adding a tag a
record already has changes nothing. Every change is an audit entry of the
record (field "tags"), so it shows in the record's history.
"""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from lejek.core import audit
from lejek.core.errors import ValidationFailed
from lejek.core.models import AuditEntry, Tag, Tagging
from lejek.core.signals import record_changed

MAX_NAME = 50


def clean_name(name: str) -> str:
    text = " ".join((name or "").replace("\x00", "").split())
    if not text:
        raise ValidationFailed.field("tag", _("Give the tag a name."))
    if len(text) > MAX_NAME:
        raise ValidationFailed.field(
            "tag", _("A tag has at most %(n)d characters.") % {"n": MAX_NAME}
        )
    return text


def tag_named(name: str) -> Tag:
    text = clean_name(name)
    found = Tag.objects.filter(name__iexact=text).first()
    return found or Tag.objects.create(name=text)


@transaction.atomic
def add(*, actor: Any, instance: models.Model, name: str) -> bool:
    """Tag `instance`; False when it already had the tag."""
    tag = tag_named(name)
    kind = audit.entity_type_of(instance)
    _, created = Tagging.objects.get_or_create(
        tag=tag, entity_type=kind, entity_id=instance.pk, defaults={"created_by": actor}
    )
    if created:
        audit.log_event(
            actor=actor,
            instance=instance,
            action=AuditEntry.Action.UPDATED,
            field="tags",
            new=f"+{tag.name}",
        )
        record_changed.send(sender=type(instance), ids=[instance.pk])
    return created


@transaction.atomic
def remove(*, actor: Any, instance: models.Model, name: str) -> bool:
    """Take the tag off `instance`; False when it did not have it."""
    kind = audit.entity_type_of(instance)
    taggings = Tagging.objects.filter(
        entity_type=kind, entity_id=instance.pk, tag__name__iexact=clean_name(name)
    ).select_related("tag")
    found = list(taggings)
    for tagging in found:
        audit.log_event(
            actor=actor,
            instance=instance,
            action=AuditEntry.Action.UPDATED,
            field="tags",
            old=f"-{tagging.tag.name}",
        )
        tagging.delete()
    if found:
        record_changed.send(sender=type(instance), ids=[instance.pk])
    return bool(found)


def names_of(instance: models.Model) -> list[str]:
    return list(
        Tagging.objects.filter(entity_type=audit.entity_type_of(instance), entity_id=instance.pk)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )


def names_by_id(entity_type: str, ids: list[int]) -> dict[int, list[str]]:
    """The tags of many records of one kind in one query: {id: [names]}."""
    found: dict[int, list[str]] = {}
    rows = (
        Tagging.objects.filter(entity_type=entity_type, entity_id__in=ids)
        .order_by("tag__name")
        .values_list("entity_id", "tag__name")
    )
    for entity_id, name in rows:
        found.setdefault(entity_id, []).append(name)
    return found


def tagged(qs: models.QuerySet[Any], name: str) -> models.QuerySet[Any]:
    """Narrow `qs` to the records that carry tag `name` (none when no such tag exists)."""
    kind = qs.model._meta.model_name or qs.model.__name__.lower()
    ids = Tagging.objects.filter(entity_type=kind, tag__name__iexact=" ".join(name.split()))
    return qs.filter(pk__in=ids.values("entity_id"))
