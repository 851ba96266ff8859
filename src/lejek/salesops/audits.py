"""The weekly pipeline audit (seed 000 §4): every open deal of a team with its last contact,
whether it is still qualified, its next action, and what needs attention.

Flags:
- `stale`: no contact for `STALE_DAYS` days (since the last done activity, or since the deal
  was created when there is none), or longer in its stage than the stage's rotting days;
- `no_next_activity`: nothing scheduled;
- `close_date_passed`: the expected close date is before today;
- `missing_amount`: no amount.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.core.errors import Forbidden, NotFound
from lejek.pipelines.models import Deal
from lejek.salesops import selectors
from lejek.salesops.models import AuditWeek, DealReview

STALE_DAYS = 14
FLAGS = ("stale", "no_next_activity", "close_date_passed", "missing_amount")
# What the queue shows and flags are read from (a deal has many more columns).
QUEUE_FIELDS = (
    "title",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "stage__name",
    "stage__rotting_days",
    "amount",
    "currency",
    "expected_close_date",
    "last_activity_at",
    "next_activity_at",
    "next_step",
    "created_at",
    "stage_entered_at",
)
FLAG_LABELS = {
    "stale": "Stale",
    "no_next_activity": "No next activity",
    "close_date_passed": "Close date passed",
    "missing_amount": "Missing amount",
}


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week: when a team's audit week starts."""
    return day - datetime.timedelta(days=day.weekday())


def open_deals(*, team_id: int, owner_id: int | None = None) -> QuerySet[Deal]:
    # Owners by id (a subquery), so the (owner, status) index finds the team's deals
    # instead of every open deal being scanned for its owner's team.
    members = User.objects.filter(team_id=team_id).values("pk")
    qs = Deal.objects.alive().filter(status=Deal.Status.OPEN, owner_id__in=members)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs


def flags_of(deal: Deal, now: datetime.datetime, today: datetime.date) -> list[str]:
    found = []
    last = deal.last_activity_at or deal.created_at
    rotting = deal.stage.rotting_days
    if now - last > datetime.timedelta(days=STALE_DAYS) or (
        rotting and now - deal.stage_entered_at > datetime.timedelta(days=rotting)
    ):
        found.append("stale")
    if deal.next_activity_at is None:
        found.append("no_next_activity")
    if deal.expected_close_date is not None and deal.expected_close_date < today:
        found.append("close_date_passed")
    if deal.amount is None:
        found.append("missing_amount")
    return found


@dataclass
class Queue:
    team: Team
    week_start: datetime.date
    week: AuditWeek | None
    items: list[dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def reviewed(self) -> int:
        return sum(1 for item in self.items if item["review"] is not None)

    @property
    def progress(self) -> float:
        return self.reviewed / self.total if self.total else 1.0


def team_for(user: User, team_id: int | None) -> Team:
    """The team whose queue `user` opens: their own; an admin names one (or the first)."""
    if team_id is not None:
        team = selectors.visible_teams(user).filter(pk=team_id).first()
        if team is None:
            raise NotFound(f"Team {team_id} was not found.")
        return team
    if user.team_id:
        return user.team  # type: ignore[return-value]
    team = Team.objects.order_by("name").first() if user.is_admin else None
    if team is None:
        raise Forbidden("You are in no team, so there is no audit queue for you.")
    return team


def queue(
    user: User,
    *,
    team_id: int | None = None,
    flag: str | None = None,
    pending_only: bool = False,
    today: datetime.date | None = None,
) -> Queue:
    """This week's queue: managers and admins see the whole team, reps their own deals."""
    team = team_for(user, team_id)
    now = timezone.now()
    today = today or selectors.local_day(now)
    start = week_start_of(today)
    week = AuditWeek.objects.filter(team=team, week_start=start).first()
    owner_id = None if (user.is_admin or user.is_manager) else user.pk
    deals = list(
        open_deals(team_id=team.pk, owner_id=owner_id)
        .select_related("owner", "stage")
        .only(*QUEUE_FIELDS)
        .order_by("owner__first_name", "owner__username", "expected_close_date", "pk")
    )
    reviews = {}
    if week is not None:  # the week's reviews are of this team's deals: no list of ids needed
        reviews = {r.deal_id: r for r in DealReview.objects.filter(week=week)}
    items = []
    counts = dict.fromkeys(FLAGS, 0)
    for deal in deals:
        flags = flags_of(deal, now, today)
        for name in flags:
            counts[name] += 1
        review = reviews.get(deal.pk)
        if flag and flag not in flags:
            continue
        if pending_only and review is not None:
            continue
        items.append({"deal": deal, "flags": flags, "review": review})
    return Queue(team=team, week_start=start, week=week, items=items, counts=counts)


def deal_for_review(user: User, deal_id: int) -> Deal:
    found = (
        Deal.objects.visible_to(user)
        .select_related("owner", "owner__team")
        .filter(Q(pk=deal_id))
        .first()
    )
    if found is None:
        raise NotFound(f"Deal {deal_id} was not found.")
    return found
