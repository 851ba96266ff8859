"""What happens when a lead crosses a threshold: status, owner, a task, a nurture campaign.

Each crossing is claimed before its actions run, so running the task twice does nothing the
second time. Every action goes through the owning app's services (history is kept); an
action that is refused is noted in the crossing's result and the others still run.
"""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.automation import campaigns
from lejek.core.errors import DomainError
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.scoring.models import Threshold, ThresholdCrossing

Status = Lead.Status
# The status each kind of threshold moves a lead to, and the statuses it moves it from.
STATUS_MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    Threshold.Kind.MQL: (Status.MQL, (Status.NEW, Status.WORKING, Status.NURTURING)),
    Threshold.Kind.SQL: (Status.SQL, (Status.NEW, Status.WORKING, Status.NURTURING, Status.MQL)),
    Threshold.Kind.FLOOR: (
        Status.DISQUALIFIED,
        (Status.NEW, Status.WORKING, Status.NURTURING, Status.MQL, Status.SQL),
    ),
}
DISQUALIFIED_REASON = "score"


def run_actions(crossing_ids: Sequence[int]) -> dict[str, int]:
    done = skipped = 0
    for pk in crossing_ids:
        if _run_one(pk):
            done += 1
        else:
            skipped += 1
    return {"done": done, "skipped": skipped}


def _claim(pk: int) -> bool:
    return bool(
        ThresholdCrossing.objects.filter(pk=pk, actions_done_at__isnull=True).update(
            actions_done_at=timezone.now()
        )
    )


def _run_one(pk: int) -> bool:
    if not _claim(pk):
        return False
    crossing = ThresholdCrossing.objects.select_related("threshold", "lead__owner").get(pk=pk)
    threshold, lead = crossing.threshold, crossing.lead
    results: list[str] = []
    if lead.deleted_at is None:
        actor = _actor(threshold, lead)
        for action in (_set_status, _assign, _create_task, _add_to_campaign):
            results.append(_attempt(action, actor, threshold, lead))
    else:
        results.append("The lead is deleted; nothing done.")
    ThresholdCrossing.objects.filter(pk=pk).update(result="\n".join(r for r in results if r)[:5000])
    return True


def _attempt(
    action: Callable[[User, Threshold, Lead], str], actor: User, threshold: Threshold, lead: Lead
) -> str:
    try:
        with transaction.atomic():
            return action(actor, threshold, lead)
    except DomainError as exc:
        return f"{action.__name__.strip('_').replace('_', ' ')}: {exc.message}"


def _actor(threshold: Threshold, lead: Lead) -> User:
    """Whose rights the actions use: the threshold's author while they may still see the
    lead, else the lead's owner."""
    author = threshold.created_by
    if (
        author is not None
        and author.is_active
        and Lead.objects.visible_to(author).filter(pk=lead.pk).exists()
    ):
        return author
    return lead.owner


def _fresh(lead: Lead) -> Lead:
    lead.refresh_from_db()
    return lead


def _set_status(actor: User, threshold: Threshold, lead: Lead) -> str:
    move = STATUS_MOVES.get(threshold.kind)
    if move is None:
        return ""
    status, from_statuses = move
    lead = _fresh(lead)
    if lead.status not in from_statuses:
        return f"Status left at {lead.status}."
    lead_services.lead_set_status(
        actor=actor,
        lead=lead,
        status=status,
        version=lead.version,
        disqualified_reason=DISQUALIFIED_REASON if status == Status.DISQUALIFIED else "",
    )
    return f"Status set to {status}."


def _assign(actor: User, threshold: Threshold, lead: Lead) -> str:
    rep = threshold.assign_to
    if rep is None:
        return ""
    lead = _fresh(lead)
    if lead.owner_id == rep.pk:
        return ""
    lead_services.lead_update(
        actor=actor, lead=lead, data={"owner_id": rep.pk}, version=lead.version
    )
    return f"Assigned to {rep.display_name}."


def _create_task(actor: User, threshold: Threshold, lead: Lead) -> str:
    if not threshold.task_subject:
        return ""
    lead = _fresh(lead)
    due = timezone.now() + datetime.timedelta(days=threshold.task_due_days)
    data: dict[str, Any] = {
        "kind": "task",
        "subject": threshold.task_subject,
        "lead_id": lead.pk,
        "owner_id": lead.owner_id,
        "due_at": due,
    }
    activity_services.activity_create(actor=actor, data=data)
    return f"Task “{threshold.task_subject}” created."


def _add_to_campaign(actor: User, threshold: Threshold, lead: Lead) -> str:
    if threshold.campaign is None:
        return ""
    _, added = campaigns.membership_add(
        actor=actor,
        campaign=threshold.campaign,
        entity_type="lead",
        entity_id=lead.pk,
        note=f"Score crossed {threshold.name}",
    )
    return f"Added to {threshold.campaign.name}." if added else ""
