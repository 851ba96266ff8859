"""Writing the audit log: snapshots of a record's fields and the differences between them."""

import datetime
import decimal
import json
from collections.abc import Iterable
from typing import Any

from django.db import models

from lejek.core.models import AuditEntry


def entity_type_of(instance: models.Model) -> str:
    return instance._meta.model_name or type(instance).__name__.lower()


def to_text(value: Any) -> str | None:
    """The stored form of a field value: stable text that reads well in a timeline."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, str | None]:
    """Field values as audit text; foreign keys by id, so no extra queries."""
    values: dict[str, str | None] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            values[name] = to_text(getattr(instance, field.attname))
        elif isinstance(field, models.DecimalField) and getattr(instance, name) is not None:
            # 150.5 and 150.50 are the same amount; compare and store at the field's scale.
            places = decimal.Decimal(1).scaleb(-field.decimal_places)
            values[name] = to_text(decimal.Decimal(getattr(instance, name)).quantize(places))
        else:
            values[name] = to_text(getattr(instance, name))
    return values


def log_created(*, actor: Any, instance: models.Model, note: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        entity_type=entity_type_of(instance),
        entity_id=instance.pk,
        action=AuditEntry.Action.CREATED,
        actor=actor,
        note=note,
    )


def log_changes(
    *,
    actor: Any,
    instance: models.Model,
    before: dict[str, str | None],
    after: dict[str, str | None],
    action: str = AuditEntry.Action.UPDATED,
    note: str = "",
) -> list[AuditEntry]:
    """One entry per changed field, written in one insert."""
    entries = [
        AuditEntry(
            entity_type=entity_type_of(instance),
            entity_id=instance.pk,
            action=action,
            field=name,
            old_value=before.get(name),
            new_value=after[name],
            actor=actor,
            note=note,
        )
        for name in after
        if before.get(name) != after[name]
    ]
    return AuditEntry.objects.bulk_create(entries) if entries else []


def log_event(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    field: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        entity_type=entity_type_of(instance),
        entity_id=instance.pk,
        action=action,
        field=field,
        old_value=to_text(old),
        new_value=to_text(new),
        actor=actor,
        note=note,
    )


def history_of(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        entity_type=entity_type_of(instance), entity_id=instance.pk
    ).select_related("actor")
