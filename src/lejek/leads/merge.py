"""Merging a duplicate lead into another, losing nothing.

Every row that points at the duplicate (activities, engagement events, score ledger rows,
threshold crossings, deals, form submissions, tags, campaign memberships) is moved to the
lead that stays, each move written to the history; the duplicate's own history stays on
it and the lead that stays shows it in its timeline. Blank fields of the lead that stays
are filled from the duplicate. The duplicate is then soft-deleted, pointing at where it
went. Of rows that exist once per lead (a threshold crossed), the lead that stays keeps its own.
"""

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from lejek.accounts.models import User
from lejek.core import audit, records
from lejek.core.errors import Conflict, Forbidden, NotFound, VersionConflict
from lejek.core.models import AuditEntry, Tagging
from lejek.core.signals import records_merged
from lejek.leads.models import Lead
from lejek.leads.services import LEAD_FIELDS

# Fields filled from the duplicate when blank on the lead that stays.
FILLED = tuple(f for f in LEAD_FIELDS if f not in ("status", "disqualified_reason", "owner"))
# Summaries that are rebuilt, not moved (one row per lead, keyed by it).
REBUILT = ("analytics.LeadSummary",)


def _locked(pk: int) -> Lead:
    found = Lead.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Lead {pk} was not found.")
    return found


def _check(actor: User, lead: Lead, version: int) -> None:
    if (
        lead.deleted_at is not None
        or not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists()
    ):
        raise NotFound(f"Lead {lead.pk} was not found.")
    if not actor.can_manage(lead.owner_id, lead.owner.team_id):
        raise Forbidden("You may only merge leads you own or, as a manager, your team's.")
    if lead.version != version:
        raise VersionConflict(lead.version)


@transaction.atomic
def lead_merge(
    *, actor: User, keep_id: int, other_id: int, keep_version: int, other_version: int
) -> Lead:
    """Merge lead `other_id` into `keep_id`; both read at the given versions (else 409)."""
    if keep_id == other_id:
        raise Conflict("A lead cannot be merged into itself.")
    first, second = sorted((keep_id, other_id))
    locked = {first: _locked(first), second: _locked(second)}
    keep, other = locked[keep_id], locked[other_id]
    _check(actor, keep, keep_version)
    _check(actor, other, other_version)
    if other.status == Lead.Status.CONVERTED and keep.status != Lead.Status.CONVERTED:
        raise Conflict("The other lead is converted: merge this one into it instead.")
    note = f"Merged lead #{other.pk} ({other.display_name}) into this one"
    filled = {
        name: getattr(other, name)
        for name in FILLED
        if getattr(keep, name) in ("", None, False)
        and getattr(other, name) not in ("", None, False)
    }
    moved = _move_related(actor, keep, other)
    _move_generic(keep, other)
    score = other.score
    Lead.objects.filter(pk=other.pk).update(
        deleted_at=timezone.now(), merged_into=keep, score=0, version=F("version") + 1
    )
    Lead.objects.filter(pk=keep.pk).update(score=F("score") + score)
    audit.log_event(
        actor=actor,
        instance=other,
        action=AuditEntry.Action.UPDATED,
        field="merged_into",
        new=keep.pk,
        note=f"Merged into lead #{keep.pk}; {moved} related rows moved",
    )
    keep.refresh_from_db()
    if filled:
        keep = records.update(
            actor=actor, instance=keep, changes=filled, expected_version=keep.version, note=note
        )
    else:
        audit.log_event(actor=actor, instance=keep, action=AuditEntry.Action.UPDATED, note=note)
    records_merged.send(sender=Lead, keep=keep.pk, other=other.pk)
    keep.refresh_from_db()
    return keep


def _relations() -> list[Any]:
    # Hidden relations too (related_name="+"): they point at the lead all the same.
    return [
        rel.field  # type: ignore[union-attr,misc]
        for rel in Lead._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
    ]


def _move_related(actor: User, keep: Lead, other: Lead) -> int:
    """Point every foreign key at `other` to `keep`; returns how many rows moved."""
    moved = 0
    for field in _relations():
        model = field.model
        label = model._meta.label
        rows = model._default_manager.filter(**{field.name: other.pk})
        if label in REBUILT:
            rows.delete()  # rebuilt from the audit entries by the analytics
            continue
        if field.one_to_one or _unique_with(model, field.name):
            moved += _move_one_by_one(rows, field.name, keep)
            continue
        if label == "activities.Activity":
            for activity in rows.only("pk"):
                audit.log_event(
                    actor=actor,
                    instance=activity,
                    action=AuditEntry.Action.UPDATED,
                    field="lead",
                    old=other.pk,
                    new=keep.pk,
                    note="Lead merged",
                )
        moved += rows.update(**{field.name: keep})
    return moved


def _unique_with(model: type[models.Model], name: str) -> bool:
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and name in constraint.fields:
            return True
    return any(name in together for together in model._meta.unique_together)


def _move_one_by_one(rows: Any, name: str, keep: Lead) -> int:
    """Rows unique per lead: each moves unless the lead that stays has its own already."""
    moved = 0
    for row in rows.order_by("pk"):
        try:
            with transaction.atomic():
                type(row)._default_manager.filter(pk=row.pk).update(**{name: keep})
            moved += 1
        except IntegrityError:
            row.delete()
    return moved


def _move_generic(keep: Lead, other: Lead) -> None:
    """Tags: the lead that stays gets the duplicate's tags (once each)."""
    have = set(
        Tagging.objects.filter(entity_type="lead", entity_id=keep.pk).values_list(
            "tag_id", flat=True
        )
    )
    for tagging in Tagging.objects.filter(entity_type="lead", entity_id=other.pk):
        if tagging.tag_id in have:
            tagging.delete()
        else:
            Tagging.objects.filter(pk=tagging.pk).update(entity_id=keep.pk)
