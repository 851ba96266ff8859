"""Commission plans: create, change and assign the plan a rep is paid under.

Only administrators set up plans. Changes apply to statements computed from then on;
approved statements keep the terms they were approved under.
"""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lejek.accounts.access import require_admin
from lejek.accounts.models import User
from lejek.analytics.rates import reporting_currency
from lejek.core import audit
from lejek.core.errors import Conflict, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.salesops import calc
from lejek.salesops.models import CommissionAssignment, CommissionPlan
from lejek.salesops.quotas import parse_amount

ASSIGNMENT_FIELD = "commission_plan"  # audit field on the rep
PLAN_FIELDS = ["name", "base_pay", "rate", "target", "kind", "tiers", "currency", "is_active"]


def _plan_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for name in ("base_pay", "target"):
        if name in values:
            values[name] = parse_amount(values[name], name)
    if "rate" in values:
        rate = Decimal(str(values["rate"]))
        if not rate.is_finite() or not 0 <= rate <= 1:
            raise ValidationFailed.field(
                "rate", "The rate is a share between 0 and 1 (0.1 = 10 %)."
            )
        values["rate"] = rate
    if "kind" in values and values["kind"] not in CommissionPlan.Kind.values:
        raise ValidationFailed.field("kind", "Use 'cliff' or 'linear'.")
    if "tiers" in values:
        try:
            tiers = calc.parse_tiers(values["tiers"] or [])
        except ValueError as exc:
            raise ValidationFailed.field("tiers", str(exc)) from None
        values["tiers"] = [{"above": str(t.above), "rate": str(t.rate)} for t in tiers]
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            raise ValidationFailed.field("name", "Give the plan a name.")
    return values


def plan_create(*, actor: User, data: dict[str, Any]) -> CommissionPlan:
    require_admin(actor, "set up commission plans")
    plan = CommissionPlan(**_plan_values({"currency": reporting_currency(), **data}))
    try:
        with transaction.atomic():
            plan.save()
            audit.log_created(actor=actor, instance=plan)
    except IntegrityError:
        raise ValidationFailed.field("name", "A plan with this name exists.") from None
    return plan


def plan_update(
    *, actor: User, plan: CommissionPlan, data: dict[str, Any], version: int
) -> CommissionPlan:
    """Changes apply to statements computed from now on; approved ones keep their terms."""
    require_admin(actor, "change commission plans")
    if plan.version != version:
        raise VersionConflict(plan.version)
    before = audit.snapshot(plan, PLAN_FIELDS)
    values = _plan_values(data)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.version = version + 1
    try:
        with transaction.atomic():
            updated = CommissionPlan.objects.filter(pk=plan.pk, version=version).update(
                **values, version=version + 1
            )
            if not updated:
                raise VersionConflict(CommissionPlan.objects.get(pk=plan.pk).version)
            audit.log_changes(
                actor=actor, instance=plan, before=before, after=audit.snapshot(plan, PLAN_FIELDS)
            )
    except IntegrityError:
        raise ValidationFailed.field("name", "A plan with this name exists.") from None
    return plan


def _log_assignment(actor: User, rep: User, old: int | None, new: int | None) -> None:
    # Logged on the rep, not on the assignment row: ending an assignment deletes the row,
    # and the history of who was on which plan must outlive it.
    audit.log_event(
        actor=actor,
        instance=rep,
        action=AuditEntry.Action.UPDATED,
        field=ASSIGNMENT_FIELD,
        old=old,
        new=new,
    )


def plan_assign(*, actor: User, user: User, plan: CommissionPlan) -> CommissionAssignment:
    """Put a rep on a plan from now on (moving them off any other plan)."""
    require_admin(actor, "assign commission plans")
    with transaction.atomic():
        found = CommissionAssignment.objects.select_for_update().filter(user=user).first()
        old = found.plan_id if found else None
        if found is None:
            found = CommissionAssignment.objects.create(user=user, plan=plan)
        else:
            found.plan = plan
            found.assigned_at = timezone.now()
            found.save(update_fields=["plan", "assigned_at"])
        _log_assignment(actor, user, old, plan.pk)
    return found


def plan_unassign(*, actor: User, user: User, plan: CommissionPlan) -> None:
    """End a rep's assignment to `plan`: statements computed from now on leave the rep out
    (drafts already computed keep their plan; approved ones keep their terms)."""
    require_admin(actor, "assign commission plans")
    with transaction.atomic():
        found = CommissionAssignment.objects.select_for_update().filter(user=user).first()
        if found is None or found.plan_id != plan.pk:
            raise Conflict("This rep is no longer on this plan. Reload the page.")
        found.delete()
        _log_assignment(actor, user, plan.pk, None)


def terms_of(plan: CommissionPlan) -> calc.Terms:
    return calc.Terms(
        base_pay=plan.base_pay,
        rate=plan.rate,
        target=plan.target,
        kind=plan.kind,
        tiers=calc.parse_tiers(plan.tiers or []),
    )
