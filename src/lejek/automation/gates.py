"""Stage gates: a deal may not move forward out of a stage until its SOP is complete.

"Forward" is a later stage of the same pipeline; moving back, or to another
pipeline, is always allowed. Managers (of the deal's owner) and admins may move
past a gate by giving a reason; the override goes into the audit log.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.automation import seed
from lejek.automation.models import DealStep, StageChecklist, StepTemplate
from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal, Stage

# Deal fields a gate may require, with the names shown when one is missing.
GATE_FIELDS = {
    "amount": _("Amount"),
    "expected_close_date": _("Expected close date"),
    "organization": _("Organization"),
    "people": _("Contact people"),
    "next_step": _("Next step"),
    "committed_amount": _("Committed amount"),
    "committed_date": _("Committed date"),
    "contract_years": _("Contract years"),
    "lead": _("Lead"),
}


class GateBlocked(Conflict):
    """The move is blocked by the stage's SOP; `missing` lists what is still to do."""

    code = "gate_blocked"


def is_forward(deal: Deal, target: Stage) -> bool:
    return target.pipeline_id == deal.pipeline_id and target.order > deal.stage.order


def _field_missing(deal: Deal, name: str) -> bool:
    if name == "people":
        return not deal.people.exists()
    value = getattr(deal, name, None)
    return value is None or value == "" or value == []


def missing(deal: Deal) -> list[dict[str, Any]]:
    """What the deal's current stage still requires: open required steps, empty fields."""
    seed.ensure_for_pipeline(deal.pipeline)
    checklist = StageChecklist.objects.filter(stage_id=deal.stage_id).first()
    if checklist is None:
        return []
    required = list(
        StepTemplate.objects.filter(checklist=checklist, is_active=True, required=True).order_by(
            "order", "pk"
        )
    )
    done = set(
        DealStep.objects.filter(
            deal=deal,
            entered_at=deal.stage_entered_at,
            template__in=required,
            status=DealStep.Status.DONE,
        ).values_list("template_id", flat=True)
    )
    items: list[dict[str, Any]] = [
        {"kind": "step", "id": step.pk, "title": step.title}
        for step in required
        if step.pk not in done
    ]
    items += [
        {"kind": "field", "field": name, "title": str(GATE_FIELDS.get(name, name))}
        for name in checklist.required_fields
        if _field_missing(deal, name)
    ]
    return items


def may_override(actor: User, deal: Deal) -> bool:
    if actor.is_admin:
        return True
    return actor.is_manager and actor.can_manage(deal.owner_id, deal.owner.team_id)


def enforce(*, actor: User, deal: Deal, stage: Stage, override_reason: str = "") -> bool:
    """Raise GateBlocked if a forward move is not allowed; True when it passes by override.

    Call inside the move's transaction: the override entry is written only if the move is.
    """
    if not is_forward(deal, stage):
        return False
    return _gate(actor=actor, deal=deal, to=stage.name, override_reason=override_reason)


def enforce_win(*, actor: User, deal: Deal, override_reason: str = "") -> bool:
    """Winning leaves the current stage forward too, so its gate applies the same way."""
    return _gate(actor=actor, deal=deal, to="won", override_reason=override_reason)


def _gate(*, actor: User, deal: Deal, to: str, override_reason: str) -> bool:
    items = missing(deal)
    if not items:
        return False
    reason = (override_reason or "").strip()
    titles = [item["title"] for item in items]
    if not reason:
        raise GateBlocked(
            f"“{deal.stage.name}” is not complete. Still missing: {'; '.join(titles)}.",
            extra={"missing": items},
        )
    if not may_override(actor, deal):
        raise Forbidden("Only a manager of the deal's team or an admin may override a stage gate.")
    audit.log_event(
        actor=actor,
        instance=deal,
        action=AuditEntry.Action.OVERRIDE,
        field="gate",
        old=titles,
        new=to,
        note=reason[:2000],
    )
    return True
