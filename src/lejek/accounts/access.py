"""Access rules beyond visibility: who may own what, and role checks."""

from typing import Any

from django.db import models

from lejek.accounts.models import User
from lejek.core.errors import Forbidden, NotFound, ValidationFailed


def assignable_owner(*, actor: User, owner_id: int | None, field: str = "owner_id") -> User:
    """The owner a record may be given by `actor`: self for reps, the team for managers."""
    if owner_id is None or owner_id == actor.pk:
        return actor
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed.field(field, f"User {owner_id} does not exist or is inactive.")
    if not actor.can_manage(owner.pk, owner.team_id):
        raise Forbidden("You may only assign records to yourself or, as a manager, to your team.")
    return owner


def require_admin(actor: User, what: str = "change this configuration") -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only an administrator may {what}.")


def visible_reference(model: type[models.Model], *, user: User, pk: int | None, field: str) -> Any:
    """A related record named in input: it must exist and be visible, else a field error."""
    if pk is None:
        return None
    qs = model.objects.visible_to(user)  # type: ignore[attr-defined]
    found = qs.filter(pk=pk).first()
    if found is None:
        name = model._meta.verbose_name
        raise ValidationFailed.field(field, f"No {name} with id {pk} that you can see.")
    return found


def visible_or_404(
    source: type[models.Model] | models.QuerySet[Any], *, user: User, pk: int
) -> Any:
    """The record if `user` may see it, else NotFound: never a hint that it exists."""
    qs: Any = source if isinstance(source, models.QuerySet) else source.objects.all()  # type: ignore[attr-defined]
    found = qs.visible_to(user).filter(pk=pk).first()
    if found is None:
        name = str(qs.model._meta.verbose_name).capitalize()
        raise NotFound(f"{name} {pk} was not found.")
    return found


def manageable_or_404(model: type[models.Model], *, user: User, pk: int) -> Any:
    """A record, deleted or not, that `user` may manage (restore); else NotFound."""
    found = model.objects.select_related("owner").filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None or not user.can_manage(found.owner_id, found.owner.team_id):
        raise NotFound(f"{str(model._meta.verbose_name).capitalize()} {pk} was not found.")
    return found
