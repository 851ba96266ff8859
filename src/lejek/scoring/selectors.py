"""Reads of the scoring data: rules, thresholds, a lead's score explained, its events."""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from lejek.accounts.models import User
from lejek.core.errors import Forbidden, NotFound
from lejek.leads.models import Lead
from lejek.scoring.models import EngagementEvent, ScoreEntry, ScoringRule, Threshold

EVENT_SORTS = {"occurred_at": "occurred_at", "received_at": "received_at", "type": "type"}


def require_staff(user: User, what: str = "see the scoring settings") -> None:
    """Scoring configuration is for managers and admins (admins change it)."""
    if not (user.is_admin or user.is_manager):
        raise Forbidden(f"Only managers and administrators may {what}.")


def rule_list() -> QuerySet[ScoringRule]:
    return ScoringRule.objects.alive().order_by("kind", "name", "pk")


def rule_get(pk: int) -> ScoringRule:
    found = ScoringRule.objects.alive().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Scoring rule {pk} was not found.")
    return found


def threshold_list() -> QuerySet[Threshold]:
    return (
        Threshold.objects.filter(deleted_at__isnull=True)
        .select_related("assign_to", "campaign")
        .order_by("score", "pk")
    )


def threshold_get(pk: int) -> Threshold:
    found = threshold_list().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Threshold {pk} was not found.")
    return found


def lead_explanation(lead: Lead, *, entries: int = 20) -> dict[str, Any]:
    """Why the lead has its score: the points of each rule (with how many events counted),
    the latest ledger rows, and the thresholds crossed. Four queries."""
    lines = list(
        ScoreEntry.objects.filter(lead=lead)
        .order_by()
        .values("rule_id", "rule__name", "rule__kind")
        .annotate(
            points=Sum("points"),
            times=Count("pk", filter=Q(reason=ScoreEntry.Reason.EVENT)),
        )
    )
    lines = sorted(
        (line for line in lines if line["points"]),
        key=lambda line: (-abs(line["points"]), line["rule__name"]),
    )
    recent = list(
        ScoreEntry.objects.filter(lead=lead)
        .select_related("rule", "event")
        .order_by("-created_at", "-pk")[:entries]
    )
    crossings = list(lead.threshold_crossings.select_related("threshold").order_by("-at", "-pk"))
    return {
        "lead": lead,
        "score": lead.score,
        "ledger_total": sum(line["points"] for line in lines),
        "lines": [
            {
                "rule_id": line["rule_id"],
                "rule": line["rule__name"],
                "kind": line["rule__kind"],
                "points": line["points"],
                "times": line["times"],
            }
            for line in lines
        ],
        "entries": recent,
        "crossings": crossings,
    }


def event_list(*, user: User, lead_id: int | None, type: str | None) -> QuerySet[EngagementEvent]:
    qs = EngagementEvent.objects.filter(lead__in=Lead.objects.visible_to(user))
    if lead_id is not None:
        qs = qs.filter(lead_id=lead_id)
    if type:
        qs = qs.filter(type=type)
    return qs


def lead_events(lead: Lead, *, limit: int = 20) -> list[EngagementEvent]:
    return list(lead.engagement_events.order_by("-occurred_at", "-pk")[:limit])
