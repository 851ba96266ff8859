"""Reads of activities, scoped to what the user may see: lists and "my day"."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from lejek.accounts.models import User
from lejek.activities.models import Activity

ACTIVITY_SORTS = {"due_at": "due_at", "created_at": "created_at", "done_at": "done_at"}
# A day list is read by a person; past this many rows it says there are more.
MY_DAY_LIMIT = 500


def activity_queryset(user: User) -> QuerySet[Activity]:
    """Visible activities with everything the API shows, so lists cost a constant query count."""
    return Activity.objects.visible_to(user).select_related(
        "owner", "created_by", "deal", "lead", "person", "organization"
    )


def activity_list(*, user: User, filters: Any) -> QuerySet[Activity]:
    qs = activity_queryset(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    for name in ("owner_id", "deal_id", "lead_id", "person_id", "organization_id"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if filters.done is not None:
        qs = qs.filter(done_at__isnull=not filters.done)
    if filters.due_from is not None:
        qs = qs.filter(due_at__gte=filters.due_from)
    if filters.due_to is not None:
        qs = qs.filter(due_at__lt=filters.due_to)
    if filters.q:
        qs = qs.filter(subject__icontains=filters.q)
    return qs


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of `day` and of the next day in the site's time zone (23 or 25 hours on DST days)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    next_day = day + datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone)


def my_day(*, user: User, today: datetime.date) -> dict[str, Any]:
    """The user's own open activities: overdue (due before today) and due today, by due time."""
    start, end = day_bounds(today)
    open_mine = (
        activity_queryset(user)
        .filter(owner_id=user.pk, done_at__isnull=True, due_at__isnull=False)
        .exclude(kind=Activity.Kind.NOTE)
        .order_by("due_at", "id")
    )
    overdue = list(open_mine.filter(due_at__lt=start)[: MY_DAY_LIMIT + 1])
    due_today = list(open_mine.filter(due_at__gte=start, due_at__lt=end)[: MY_DAY_LIMIT + 1])
    return {
        "date": today,
        "overdue": overdue[:MY_DAY_LIMIT],
        "overdue_truncated": len(overdue) > MY_DAY_LIMIT,
        "due_today": due_today[:MY_DAY_LIMIT],
        "due_today_truncated": len(due_today) > MY_DAY_LIMIT,
    }
