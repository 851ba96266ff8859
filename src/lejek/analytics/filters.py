"""What a metrics request asks for: period, pipelines, owners (after visibility), sources.

Periods are whole calendar months (the summaries are monthly): a start month and
an end month, both included. The previous period is the same number of months
just before. Visibility follows `OwnedQuerySet.visible_to`: reps see their own
records, managers their own and their team's, admins everything.
"""

import datetime
from dataclasses import dataclass, replace

from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.analytics.loaders import local_date
from lejek.core.errors import ValidationFailed
from lejek.leads.models import Source
from lejek.pipelines.models import Pipeline

GROUPS = ("owner", "team", "source", "month")
ALL_TIME_START = datetime.date(1971, 1, 1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str, field: str) -> datetime.date:
    try:
        parsed = datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise ValidationFailed.field(field, "Use a month as YYYY-MM, e.g. 2025-03.") from None
    if parsed.year < 1971:
        raise ValidationFailed.field(field, "Choose a month after 1970.")
    return parsed


def this_month() -> datetime.date:
    return local_date(timezone.now()).replace(day=1)


@dataclass(frozen=True)
class Period:
    """Months `start`..`end` (first days of months), both included."""

    start: datetime.date
    end: datetime.date

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_all_time(self) -> bool:
        return self.start == ALL_TIME_START

    def previous(self) -> "Period":
        return Period(add_months(self.start, -self.months), add_months(self.start, -1))

    def contains(self, month: datetime.date) -> bool:
        return self.start <= month <= self.end

    def label(self) -> str:
        if self.is_all_time:
            return "–"
        if self.start == self.end:
            return self.start.strftime("%Y-%m")
        return f"{self.start:%Y-%m} – {self.end:%Y-%m}"

    @classmethod
    def quarter_of(cls, month: datetime.date) -> "Period":
        start = datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        return cls(start, add_months(start, 2))


def period_from(start: str | None, end: str | None, all_time: bool = False) -> Period:
    """A period from YYYY-MM bounds; the current quarter when both are missing."""
    if all_time:
        return Period(ALL_TIME_START, add_months(this_month(), 1200))
    if not start and not end:
        return Period.quarter_of(this_month())
    first = parse_month(start, "start") if start else None
    last = parse_month(end, "end") if end else None
    first = first or last
    last = last or first
    assert first is not None and last is not None
    if last < first:
        raise ValidationFailed.field("end", "The end month must not be before the start month.")
    if Period(first, last).months > 120:
        raise ValidationFailed.field("start", "A period can span at most ten years.")
    return Period(first, last)


@dataclass(frozen=True)
class Filters:
    """Resolved filters. None means "all"; an empty tuple means "nothing you may see"."""

    period: Period
    pipeline_ids: tuple[int, ...] | None = None
    owner_ids: tuple[int, ...] | None = None
    sources: tuple[str, ...] | None = None

    def with_period(self, period: Period) -> "Filters":
        return replace(self, period=period)


def visible_owner_ids(user: User) -> tuple[int, ...] | None:
    """Owners whose records `user` sees (None: all)."""
    if not user.is_authenticated or not user.is_active:
        return ()
    if user.is_admin:
        return None
    if user.is_manager and user.team_id:
        team = User.objects.filter(team_id=user.team_id).values_list("pk", flat=True)
        return tuple(sorted({user.pk, *team}))
    return (user.pk,)


def resolve(
    *,
    user: User,
    period: Period,
    pipeline_id: int | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    source: str | None = None,
) -> Filters:
    """Check each filter and combine it with what `user` may see."""
    owners = visible_owner_ids(user)
    if pipeline_id is not None and not Pipeline.objects.filter(pk=pipeline_id).exists():
        raise ValidationFailed.field("pipeline_id", f"No pipeline with id {pipeline_id}.")
    if source is not None and source not in Source.values:
        raise ValidationFailed.field("source", f"Unknown source '{source}'.")
    if team_id is not None:
        if not Team.objects.filter(pk=team_id).exists():
            raise ValidationFailed.field("team_id", f"No team with id {team_id}.")
        members = set(User.objects.filter(team_id=team_id).values_list("pk", flat=True))
        owners = tuple(sorted(members if owners is None else members & set(owners)))
    if owner_id is not None:
        if owners is not None and owner_id not in owners:
            raise ValidationFailed.field(
                "owner_id", f"No user with id {owner_id} whose numbers you can see."
            )
        if owners is None and not User.objects.filter(pk=owner_id).exists():
            raise ValidationFailed.field("owner_id", f"No user with id {owner_id}.")
        owners = (owner_id,)
    return Filters(
        period=period,
        pipeline_ids=(pipeline_id,) if pipeline_id is not None else None,
        owner_ids=owners,
        sources=(source,) if source is not None else None,
    )
