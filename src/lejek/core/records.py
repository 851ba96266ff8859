"""Generic write steps for owned records: create, update with a version check, soft delete.

Every domain service that edits plain fields goes through these, so the version
check, the audit entries and `updated_at` are handled in exactly one place.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from lejek.core import audit
from lejek.core.errors import ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry, OwnedRecord
from lejek.core.signals import record_changed


def validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Model validation as a DomainError with a message per field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = {
            (name if name != "__all__" else "__all__"): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
        raise ValidationFailed("Some fields are invalid.", fields=fields) from exc


def create[R: OwnedRecord](*, actor: Any, instance: R, m2m: dict[str, Any] | None = None) -> R:
    with transaction.atomic():
        validate(instance)
        instance.save(force_insert=True)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        audit.log_created(actor=actor, instance=instance)
        record_changed.send(sender=type(instance), ids=[instance.pk])
    return instance


def update[R: OwnedRecord](
    *,
    actor: Any,
    instance: R,
    changes: dict[str, Any],
    expected_version: int,
    note: str = "",
) -> R:
    """Apply field changes if the record is still at `expected_version`.

    The version is compared in the UPDATE's WHERE clause, so two writers that
    both read version N cannot both win: the second one updates no row and
    gets VersionConflict with the version that beat it.
    """
    model = type(instance)
    columns = [_column(instance, k) for k in changes]
    original = {c: getattr(instance, c) for c in columns}
    try:
        with transaction.atomic():
            before = audit.snapshot(instance, changes)
            for name, value in changes.items():
                setattr(instance, name, value)
            validate(instance, exclude=_unchanged_fields(instance, changes))
            after = audit.snapshot(instance, changes)
            if before == after:
                if instance.version != expected_version:
                    raise VersionConflict(_current_version(model, instance.pk))
                return instance
            now = timezone.now()
            updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
                **{c: getattr(instance, c) for c in columns},
                updated_at=now,
                version=F("version") + 1,
            )
            if not updated:
                raise VersionConflict(_current_version(model, instance.pk))
            audit.log_changes(actor=actor, instance=instance, before=before, after=after, note=note)
            record_changed.send(sender=model, ids=[instance.pk])
    except (VersionConflict, ValidationFailed):
        # The caller's object must not keep changes that were never saved.
        for column, value in original.items():
            setattr(instance, column, value)
        raise
    instance.version = expected_version + 1
    instance.updated_at = now
    return instance


def soft_delete[R: OwnedRecord](
    *, actor: Any, instance: R, expected_version: int | None = None
) -> R:
    return _set_deleted(
        actor=actor,
        instance=instance,
        deleted_at=timezone.now(),
        expected_version=expected_version,
        action=AuditEntry.Action.DELETED,
    )


def restore[R: OwnedRecord](*, actor: Any, instance: R) -> R:
    return _set_deleted(
        actor=actor,
        instance=instance,
        deleted_at=None,
        expected_version=None,
        action=AuditEntry.Action.RESTORED,
    )


def _set_deleted[R: OwnedRecord](
    *, actor: Any, instance: R, deleted_at: Any, expected_version: int | None, action: str
) -> R:
    model = type(instance)
    version = instance.version if expected_version is None else expected_version
    with transaction.atomic():
        updated = model.objects.filter(pk=instance.pk, version=version).update(
            deleted_at=deleted_at, updated_at=timezone.now(), version=F("version") + 1
        )
        if not updated:
            raise VersionConflict(_current_version(model, instance.pk))
        instance.deleted_at = deleted_at
        instance.version = version + 1
        audit.log_event(actor=actor, instance=instance, action=action)
    return instance


def bump_version(model: type[models.Model], pk: int, expected_version: int, **values: Any) -> int:
    """Write `values` guarded by the version; returns the new version or raises VersionConflict."""
    updated = model.objects.filter(pk=pk, version=expected_version).update(  # type: ignore[attr-defined]
        **values, version=F("version") + 1
    )
    if not updated:
        raise VersionConflict(_current_version(model, pk))
    return expected_version + 1


def update_settings(
    *, actor: Any, instance: models.Model, changes: dict[str, Any], expected_version: int
) -> bool:
    """Apply already-validated `changes` to a versioned configuration row (a rule, a form,
    a threshold: not an owned record) if it is still at `expected_version`, else
    VersionConflict; one audit entry per changed field. False when nothing changed."""
    before = audit.snapshot(instance, changes)
    for name, value in changes.items():
        setattr(instance, name, value)
    after = audit.snapshot(instance, changes)
    if before == after:
        return False
    columns = {_column(instance, k): getattr(instance, _column(instance, k)) for k in changes}
    instance.version = bump_version(  # type: ignore[attr-defined]
        type(instance), instance.pk, expected_version, **columns, updated_at=timezone.now()
    )
    audit.log_changes(actor=actor, instance=instance, before=before, after=after)
    return True


def _current_version(model: type[models.Model], pk: int) -> int:
    return model.objects.filter(pk=pk).values_list("version", flat=True).first() or 0  # type: ignore[attr-defined]


def _column(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    return field.attname if isinstance(field, models.ForeignKey) else name


def _unchanged_fields(instance: models.Model, changes: dict[str, Any]) -> list[str]:
    return [f.name for f in instance._meta.concrete_fields if f.name not in changes]
