"""Business-day arithmetic in the organisation's time zone.

A business day is one that is neither a weekend day (settings.AUTOMATION_WEEKEND_DAYS,
Monday = 0) nor a Holiday. Moving a moment by N business days keeps its wall-clock
time: one business day before Tuesday 14:00 is Monday 14:00, and before Monday
14:00 it is the Friday before at 14:00.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from lejek.automation.models import Holiday, Offset


def weekend_days() -> frozenset[int]:
    return frozenset(getattr(settings, "AUTOMATION_WEEKEND_DAYS", (5, 6)))


def holidays_between(start: datetime.date, end: datetime.date) -> set[datetime.date]:
    return set(Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True))


def is_business_day(day: datetime.date, holidays: set[datetime.date] | None = None) -> bool:
    if day.weekday() in weekend_days():
        return False
    if holidays is None:
        holidays = holidays_between(day, day)
    return day not in holidays


def shift_business_days(day: datetime.date, count: int) -> datetime.date:
    """The date `count` business days after (negative: before) `day`."""
    if count == 0:
        return day
    step = 1 if count > 0 else -1
    # Wide enough for any run of weekends and holidays a real calendar has.
    span = datetime.timedelta(days=abs(count) * 3 + 30)
    holidays = holidays_between(day - span, day + span)
    remaining = abs(count)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def _with_local_date(moment: datetime.datetime, day: datetime.date) -> datetime.datetime:
    zone = timezone.get_default_timezone()
    local = timezone.localtime(moment, zone)
    naive = datetime.datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive, zone)


def apply_offset(moment: datetime.datetime, value: int, unit: str) -> datetime.datetime:
    """`moment` moved by `value` units (negative = before); days keep the wall-clock time."""
    if unit == Offset.MINUTES:
        return moment + datetime.timedelta(minutes=value)
    if unit == Offset.HOURS:
        return moment + datetime.timedelta(hours=value)
    local_day = timezone.localtime(moment, timezone.get_default_timezone()).date()
    if unit == Offset.DAYS:
        return _with_local_date(moment, local_day + datetime.timedelta(days=value))
    if unit == Offset.BUSINESS_DAYS:
        return _with_local_date(moment, shift_business_days(local_day, value))
    raise ValueError(f"Unknown offset unit {unit!r}")


def max_calendar_span(value: int, unit: str) -> datetime.timedelta:
    """An upper bound of how far `apply_offset` can move a moment, for query windows."""
    if unit == Offset.MINUTES:
        return datetime.timedelta(minutes=abs(value))
    if unit == Offset.HOURS:
        return datetime.timedelta(hours=abs(value))
    if unit == Offset.DAYS:
        return datetime.timedelta(days=abs(value) + 1)
    return datetime.timedelta(days=abs(value) * 3 + 31)
