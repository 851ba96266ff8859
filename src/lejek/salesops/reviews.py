"""The weekly pipeline audit's writes: open a team's week, record a deal's review.

The queue itself (what is listed, with which flags) is read in `audits`.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.salesops import audits, selectors
from lejek.salesops.audits import week_start_of
from lejek.salesops.models import AuditWeek, DealReview


def audit_week_open(*, team: Team, day: datetime.date) -> tuple[AuditWeek, bool]:
    """The team's audit for the week of `day`, opened if it is not yet (safe to run twice)."""
    week, created = AuditWeek.objects.get_or_create(team=team, week_start=week_start_of(day))
    if created:
        week.queue_size = audits.open_deals(team_id=team.pk).count()
        week.save(update_fields=["queue_size"])
    return week, created


def review_record(
    *,
    actor: User,
    deal: Any,
    still_qualified: bool,
    next_action: str = "",
    note: str = "",
    day: datetime.date | None = None,
) -> DealReview:
    """Record this week's review of an open deal; the deal's history gets an entry."""
    if deal.status != "open" or deal.deleted_at is not None:
        raise Conflict("Only open deals are reviewed in the pipeline audit.")
    owner = deal.owner
    if not actor.can_manage(owner.pk, owner.team_id):
        raise Forbidden("Only the deal's owner, their manager or an administrator reviews it.")
    if owner.team_id is None:
        raise ValidationFailed.field("deal_id", "The deal's owner is in no team.")
    next_action = (next_action or "").strip()[:300]
    today = day or selectors.local_day(timezone.now())
    with transaction.atomic():
        week, _ = audit_week_open(team=owner.team, day=today)
        review = DealReview.objects.filter(week=week, deal=deal).first()
        fields = ["still_qualified", "next_action", "note", "reviewer"]
        before = audit.snapshot(review, fields) if review else {}
        if review is None:
            review = DealReview(week=week, deal=deal)
        review.still_qualified = still_qualified
        review.next_action = next_action
        review.note = (note or "").strip()
        review.reviewer = actor
        review.reviewed_at = timezone.now()
        review.save()
        audit.log_changes(
            actor=actor, instance=review, before=before, after=audit.snapshot(review, fields)
        )
        audit.log_event(
            actor=actor,
            instance=deal,
            action=AuditEntry.Action.UPDATED,
            field="pipeline_review",
            new="still qualified" if still_qualified else "not qualified",
            note=f"Week of {week.week_start}. Next action: {next_action or '—'}",
        )
    return review
