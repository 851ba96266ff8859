"""Free slots: a rep's working hours minus their scheduled meetings and bookings."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.customers.models import Booking, BookingPage, WorkingHours

Span = tuple[datetime.datetime, datetime.datetime]
DEFAULT_MEETING_MINUTES = 60


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def page_reps(page: BookingPage) -> list[User]:
    if page.user_id is not None:
        return [page.user] if page.user and page.user.is_active else []
    if page.team_id is None:
        return []
    members = list(User.objects.filter(team_id=page.team_id, is_active=True).order_by("pk"))
    return [u for u in members if u.role == User.Role.REP] or members


def busy_spans(
    rep_ids: Iterable[int], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[Span]]:
    """Each rep's meetings (open or held) and bookings overlapping [start, end)."""
    ids = list(rep_ids)
    busy: dict[int, list[Span]] = defaultdict(list)
    reach = datetime.timedelta(days=1)  # a meeting may start before `start` and run into it
    meetings = (
        Activity.objects.alive()
        .filter(
            owner_id__in=ids, kind=Activity.Kind.MEETING, due_at__gte=start - reach, due_at__lt=end
        )
        .values_list("owner_id", "due_at", "duration_minutes")
    )
    for owner_id, due, minutes in meetings:
        busy[owner_id].append(
            (due, due + datetime.timedelta(minutes=minutes or DEFAULT_MEETING_MINUTES))
        )
    for rep_id, s, e in Booking.objects.filter(
        rep_id__in=ids, start_at__lt=end, end_at__gt=start - reach
    ).values_list("rep_id", "start_at", "end_at"):
        busy[rep_id].append((s, e))
    return busy


def _overlaps(slot: Span, spans: list[Span]) -> bool:
    return any(slot[0] < e and s < slot[1] for s, e in spans)


def rep_slots(
    *,
    rep_ids: list[int],
    duration: int,
    now: datetime.datetime,
    notice_minutes: int,
    horizon_days: int,
) -> dict[datetime.datetime, list[int]]:
    """Free slot starts (aware, local) → the reps free then, over the next `horizon_days`."""
    tz = zone()
    today = now.astimezone(tz).date()
    first = now + datetime.timedelta(minutes=notice_minutes)
    hours: dict[int, list[WorkingHours]] = defaultdict(list)
    for row in WorkingHours.objects.filter(user_id__in=rep_ids).order_by("weekday", "start"):
        hours[row.user_id].append(row)
    window_end = datetime.datetime.combine(
        today + datetime.timedelta(days=horizon_days + 1), datetime.time.min, tzinfo=tz
    )
    busy = busy_spans(rep_ids, now, window_end)
    step = datetime.timedelta(minutes=duration)
    free: dict[datetime.datetime, list[int]] = defaultdict(list)
    for offset in range(horizon_days + 1):
        day = today + datetime.timedelta(days=offset)
        for rep_id in rep_ids:
            for span in hours.get(rep_id, []):
                if span.weekday != day.weekday():
                    continue
                start = datetime.datetime.combine(day, span.start, tzinfo=tz)
                end = datetime.datetime.combine(day, span.end, tzinfo=tz)
                moment = start
                while moment + step <= end:
                    if moment >= first and not _overlaps((moment, moment + step), busy[rep_id]):
                        free[moment].append(rep_id)
                    moment += step
    return dict(sorted(free.items()))


def page_slots(page: BookingPage, now: datetime.datetime) -> dict[datetime.datetime, list[int]]:
    return rep_slots(
        rep_ids=[u.pk for u in page_reps(page)],
        duration=page.duration_minutes,
        now=now,
        notice_minutes=page.min_notice_minutes,
        horizon_days=page.horizon_days,
    )


def is_free(page: BookingPage, rep: User, start: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether `rep` may still be booked at `start` (call with the rep's row locked)."""
    slots = rep_slots(
        rep_ids=[rep.pk],
        duration=page.duration_minutes,
        now=now,
        notice_minutes=page.min_notice_minutes,
        horizon_days=page.horizon_days,
    )
    return start in slots


@transaction.atomic
def hours_set(
    *, user: User, rows: list[tuple[int, datetime.time, datetime.time]]
) -> list[WorkingHours]:
    """Replace a rep's working hours with `rows` of (weekday, start, end)."""
    WorkingHours.objects.filter(user=user).delete()
    return WorkingHours.objects.bulk_create(
        WorkingHours(user=user, weekday=w, start=s, end=e) for w, s, e in rows
    )
