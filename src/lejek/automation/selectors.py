"""Reads of the automation: rules, run logs, a deal's checklist, deliveries, the calendar."""

import datetime
from typing import Any

from django.db.models import QuerySet

from lejek.accounts.models import User
from lejek.automation import context, gates, sops
from lejek.automation.models import (
    AutomationRun,
    Campaign,
    DealStep,
    EmailTemplate,
    Holiday,
    Membership,
    Rule,
    ScheduledAction,
    WebhookDelivery,
    WebhookSubscription,
)
from lejek.core.errors import Forbidden, NotFound
from lejek.pipelines.models import Deal

RUN_SORTS = {"created_at": "created_at", "finished_at": "finished_at", "status": "status"}
DELIVERY_SORTS = {"created_at": "created_at", "status": "status"}
MEMBERSHIP_SORTS = {"added_at": "added_at"}


def require_staff(user: User, what: str = "see the automation settings") -> None:
    """Configuration and logs are for managers and admins."""
    if not (user.is_admin or user.is_manager):
        raise Forbidden(f"Only managers and administrators may {what}.")


def rule_list() -> QuerySet[Rule]:
    return Rule.objects.select_related("created_by").order_by("name", "pk")


def rule_get(pk: int) -> Rule:
    found = rule_list().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Rule {pk} was not found.")
    return found


def visible_record(user: User, entity_type: str, entity_id: int) -> Any:
    """A record of any kind that `user` may see, else NotFound."""
    model = context.model_for(entity_type)
    found = model.objects.visible_to(user).filter(pk=entity_id).first()  # type: ignore[attr-defined]
    if found is None:
        raise NotFound(f"{entity_type.capitalize()} {entity_id} was not found.")
    return context.load(entity_type, entity_id)


def run_list(*, user: User, filters: Any) -> QuerySet[AutomationRun]:
    """Runs; everyone sees the runs on a record they can see, staff see the whole log."""
    qs = AutomationRun.objects.all()
    if filters.entity_type and filters.entity_id:
        visible_record(user, filters.entity_type, filters.entity_id)
        qs = qs.filter(entity_type=filters.entity_type, entity_id=filters.entity_id)
    else:
        require_staff(user, "see the automation log")
        if filters.entity_type:
            qs = qs.filter(entity_type=filters.entity_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule_id:
        qs = qs.filter(rule_id=filters.rule_id)
    return qs


def deal_checklist(deal: Deal) -> dict[str, Any]:
    """The deal's checklist for its current stay (made now if missing) and its gate's gaps."""
    steps = sops.instantiate(deal)
    by_id = {s.pk: s for s in sops.current_steps(deal)}
    return {
        "deal_id": deal.pk,
        "stage_id": deal.stage_id,
        "stage": deal.stage.name,
        "steps": [by_id.get(s.pk, s) for s in steps],
        "missing": gates.missing(deal),
    }


def deal_step(deal: Deal, step_id: int) -> DealStep:
    found = DealStep.objects.filter(deal=deal, pk=step_id).first()
    if found is None:
        raise NotFound(f"Step {step_id} was not found on this deal.")
    return found


def scheduled_for(deal: Deal) -> QuerySet[ScheduledAction]:
    return ScheduledAction.objects.filter(deal=deal).order_by("due_at", "pk")


def email_templates() -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.order_by("key", "language")


def holidays(year: int | None = None) -> QuerySet[Holiday]:
    qs = Holiday.objects.order_by("date")
    if year is not None:
        qs = qs.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
    return qs


def webhooks() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.order_by("name", "pk")


def deliveries(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription=subscription)


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.order_by("kind", "name", "pk")


def members(campaign: Campaign, *, current_only: bool = False) -> QuerySet[Membership]:
    qs = Membership.objects.filter(campaign=campaign)
    return qs.filter(removed_at__isnull=True) if current_only else qs
