"""Reads for sales operations, each scoped to what the user may see.

Reps see their own quotas, statements and deals (and their team's quota); managers their
team's; admins everything (the same rule as `OwnedQuerySet.visible_to`).
"""

import bisect
import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import F, Field, Model, Q, QuerySet, TextField
from django.db.models.functions import Cast

from lejek.accounts.models import Team, User
from lejek.analytics.filters import Period, add_months
from lejek.analytics.rates import RateTable, to_money
from lejek.core.errors import NotFound
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal
from lejek.salesops.models import CommissionAssignment, CommissionPlan, Quota, Statement
from lejek.salesops.plans import ASSIGNMENT_FIELD


def month_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """The instants that start month `start` and end month `end` in the site's time zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    after = add_months(end, 1)
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(after, datetime.time(), tzinfo=zone),
    )


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


# --- who may see whom ------------------------------------------------------------------------


def visible_users(user: User) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True)
    if user.is_admin:
        return qs
    if user.is_manager and user.team_id:
        return qs.filter(Q(pk=user.pk) | Q(team_id=user.team_id))
    return qs.filter(pk=user.pk)


def visible_teams(user: User) -> QuerySet[Team]:
    if user.is_admin:
        return Team.objects.all()
    return Team.objects.filter(pk=user.team_id) if user.team_id else Team.objects.none()


def quotas_visible_to(user: User) -> QuerySet[Quota]:
    qs = Quota.objects.select_related("user", "team")
    if user.is_admin:
        return qs
    mine = Q(user_id=user.pk)
    if user.team_id:
        mine |= Q(team_id=user.team_id)
        if user.is_manager:
            mine |= Q(user__team_id=user.team_id)
    return qs.filter(mine)


def statements_visible_to(user: User) -> QuerySet[Statement]:
    qs = Statement.objects.select_related("rep", "plan", "approved_by")
    if user.is_admin:
        return qs
    if user.is_manager and user.team_id:
        return qs.filter(Q(rep_id=user.pk) | Q(rep__team_id=user.team_id))
    return qs.filter(rep_id=user.pk)


def statement_or_404(user: User, pk: int) -> Statement:
    found = statements_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Statement {pk} was not found.")
    return found


def plans() -> QuerySet[CommissionPlan]:
    return CommissionPlan.objects.all()


def reps_seen_by(user: User) -> QuerySet[User]:
    """Whose commission plan `user` may see (former members included): the same people as
    their statements."""
    if user.is_admin:
        return User.objects.all()
    if user.is_manager and user.team_id:
        return User.objects.filter(Q(pk=user.pk) | Q(team_id=user.team_id))
    return User.objects.filter(pk=user.pk)


def plan_assignments(user: User) -> QuerySet[CommissionAssignment]:
    """Who is on which plan now, and since when, among the reps `user` may see."""
    return (
        CommissionAssignment.objects.filter(user__in=reps_seen_by(user))
        .select_related("user")
        .order_by("assigned_at", "user__username")
    )


def plan_history(user: User, plan: CommissionPlan, limit: int = 200) -> list[dict[str, Any]]:
    """Reps put on the plan, moved off it or ended, newest first (from the audit log)."""
    key = str(plan.pk)
    entries = list(
        AuditEntry.objects.filter(
            Q(old_value=key) | Q(new_value=key),
            entity_type=User._meta.model_name,
            field=ASSIGNMENT_FIELD,
            entity_id__in=reps_seen_by(user).values("pk"),
        ).select_related("actor")[:limit]
    )
    reps = User.objects.in_bulk({e.entity_id for e in entries})
    other_ids = {int(v) for e in entries for v in (e.old_value, e.new_value) if v and v != key}
    others = CommissionPlan.objects.in_bulk(other_ids)
    rows = []
    for entry in entries:
        joined = entry.new_value == key
        other = entry.old_value if joined else entry.new_value
        rows.append(
            {
                "rep": reps.get(entry.entity_id),
                "at": entry.at,
                "actor": entry.actor,
                "joined": joined,
                "other_plan": others.get(int(other)) if other else None,
            }
        )
    return rows


# --- won revenue -----------------------------------------------------------------------------


@dataclass(slots=True)
class WonDeal:
    deal_id: int
    owner_id: int
    title: str
    closed_at: datetime.datetime
    amount: Decimal | None
    currency: str
    revenue: Decimal
    note: str


class WonRow(NamedTuple):
    """A won deal as the database driver returns it (`closed_at` and `amount` unconverted, so
    they can be written back as they are), with its revenue in the reporting currency."""

    deal_id: int
    owner_id: int
    title: str
    closed_at: Any
    amount: Any
    currency: str
    revenue: Decimal
    note: str


def _converter(model: type[Model], name: str) -> Callable[[Any], Any]:
    """What the ORM does to one column's value as read from the database."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    col = field.get_col(model._meta.db_table)
    steps = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]

    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, col, connection)
        return value

    return convert


class _Factors:
    """The reporting-currency factor of each currency over the days of a period, as steps
    between the instants at which the rate in force changes (in the form the database takes
    and returns `closed_at`): the factor of a deal is one bisection away, without working out
    its day."""

    def __init__(self, rates: RateTable, period: Period) -> None:
        self.rates = rates
        self.first = period.start
        self.last = add_months(period.end, 1) - datetime.timedelta(days=1)
        self.steps: dict[str, tuple[list[Any], list[Decimal | None]]] = {}

    def _instant(self, day: datetime.date) -> Any:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE) if settings.USE_TZ else None
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
        return connection.ops.adapt_datetimefield_value(moment)

    def of(self, currency: str) -> tuple[list[Any], list[Decimal | None]]:
        found = self.steps.get(currency)
        if found is None:
            starts = self.rates.starts.get(currency, [])
            changes = [d for d in starts if self.first < d <= self.last]
            found = (
                [self._instant(d) for d in changes],
                [self.rates.today_factor(currency, d) for d in (self.first, *changes)],
            )
            self.steps[currency] = found
        return found


def won_deal_rows(
    owner_ids: list[int] | tuple[int, ...],
    period: Period,
    rates: RateTable | None = None,
) -> list[WonRow]:
    """`won_deals` as rows straight from the database, in the same order: what commission
    statements read, thousands of deals at a time. The ORM's conversion of every value would
    cost more than the query; `closed_at` comes as the database takes it (SQLite's text, not
    parsed), ready to be compared with the instants rates change at and to be written back."""
    if not owner_ids:  # no reps: no query (an empty IN has no SQL)
        return []
    rates = rates or RateTable.load()
    start, end = month_bounds(period.start, period.end)
    closed: Any = F("closed_at")
    if connection.vendor == "sqlite":
        closed = Cast("closed_at", output_field=TextField())
    query = (
        Deal.objects.alive()
        .filter(
            owner_id__in=owner_ids,
            status=Deal.Status.WON,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .annotate(closed=closed)
        .order_by("closed_at", "pk")
        # The annotation last: the columns come in this order.
        .values_list("pk", "owner_id", "title", "amount", "currency", "closed")
    )
    sql, params = query.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    factors = _Factors(rates, period)
    amount_of = _converter(Deal, "amount")
    zero = Decimal("0.00")
    # Amounts repeat: each (currency, rate, amount) is converted once.
    converted: dict[tuple[str, int, Any], tuple[Decimal, str]] = {}
    found = []
    make = tuple.__new__  # WonRow(...) would run the named tuple's Python-level __new__
    for pk, owner_id, title, amount, currency, closed_at in rows:
        bounds, steps = factors.of(currency)
        step = bisect.bisect_right(bounds, closed_at) if bounds else 0
        key = (currency, step, amount)
        done = converted.get(key)
        if done is None:
            factor = steps[step]
            if amount is None:
                done = (zero, "No amount")
            elif factor is None:
                done = (zero, f"No exchange rate for {currency}")
            else:
                done = (to_money(amount_of(amount) * factor), "")
            converted[key] = done
        found.append(make(WonRow, (pk, owner_id, title, closed_at, amount, currency, *done)))
    return found


def won_deals(
    owner_ids: list[int] | tuple[int, ...], period: Period, rates: RateTable | None = None
) -> list[WonDeal]:
    """Deals won in the period by these owners (still won now), converted to the reporting
    currency at the rate in force on the day each was won. A deal without an amount or
    without a rate counts as 0 and says why."""
    return won_deals_of(won_deal_rows(owner_ids, period, rates))


def won_deals_of(rows: Sequence[WonRow]) -> list[WonDeal]:
    """Rows of `won_deal_rows` with their close times and amounts as the ORM gives them."""
    closed_at_of = _converter(Deal, "closed_at")
    amount_of = _converter(Deal, "amount")
    return [
        WonDeal(
            row.deal_id,
            row.owner_id,
            row.title,
            closed_at_of(row.closed_at),
            amount_of(row.amount),
            row.currency,
            row.revenue,
            row.note,
        )
        for row in rows
    ]


def won_revenue(
    owner_ids: list[int] | tuple[int, ...], period: Period, rates: RateTable | None = None
) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for deal in won_deals(owner_ids, period, rates):
        totals[deal.owner_id] += deal.revenue
    return dict(totals)


# --- quotas and attainment -------------------------------------------------------------------


def quota_for(quotas: list[Quota], period: Period) -> Decimal | None:
    """The quota covering exactly `period`: a matching quarter or month quota, else the sum of
    the monthly quotas when every month of the period has one."""
    for q in quotas:
        if q.period == period:
            return q.amount
    monthly = {q.period_start: q.amount for q in quotas if q.kind == Quota.Kind.MONTH}
    months, total = [], Decimal(0)
    month = period.start
    while month <= period.end:
        months.append(month)
        month = add_months(month, 1)
    if all(m in monthly for m in months):
        for m in months:
            total += monthly[m]
        return total
    quarterly = {q.period_start: q.amount for q in quotas if q.kind == Quota.Kind.QUARTER}
    if period.months % 3 == 0 and period.start.month % 3 == 1:
        starts = months[::3]
        if all(s in quarterly for s in starts):
            return sum((quarterly[s] for s in starts), Decimal(0))
    return None


def attainment(user: User, period: Period, team_id: int | None = None) -> dict[str, Any]:
    """Won revenue ÷ quota per rep (reps visible to `user`, of one team if given), the team's
    own attainment, and the quota attainment rate: share of reps with quota at ≥ 100 %."""
    reps = visible_users(user).select_related("team").order_by("first_name", "username")
    if team_id is not None:
        reps = reps.filter(team_id=team_id)
    reps_list = list(reps)
    ids = [r.pk for r in reps_list]
    rates = RateTable.load()
    revenue = won_revenue(ids, period, rates)
    quotas: dict[int, list[Quota]] = defaultdict(list)
    for q in Quota.objects.filter(user_id__in=ids):
        quotas[q.user_id].append(q)  # type: ignore[index]
    rows: list[dict[str, Any]] = []
    for rep in reps_list:
        quota = quota_for(quotas[rep.pk], period)
        won = revenue.get(rep.pk, Decimal("0.00"))
        rows.append(
            {
                "user": rep,
                "quota": quota,
                "won": won,
                "attainment": (won / quota) if quota else None,
            }
        )
    with_quota = [r for r in rows if r["attainment"] is not None]
    at_quota = [r for r in with_quota if r["attainment"] >= 1]
    teams = []
    team_ids = {r.team_id for r in reps_list if r.team_id} if team_id is None else {team_id}
    team_quotas: dict[int, list[Quota]] = defaultdict(list)
    for q in Quota.objects.filter(team_id__in=team_ids):
        team_quotas[q.team_id].append(q)  # type: ignore[index]
    for team in Team.objects.filter(pk__in=team_ids).order_by("name"):
        quota = quota_for(team_quotas[team.pk], period)
        won = sum(
            (revenue.get(r.pk, Decimal(0)) for r in reps_list if r.team_id == team.pk), Decimal(0)
        )
        teams.append(
            {
                "team": team,
                "quota": quota,
                "won": won,
                "attainment": (won / quota) if quota else None,
            }
        )
    return {
        "period": period,
        "currency": rates.reporting,
        "reps": rows,
        "teams": teams,
        "reps_with_quota": len(with_quota),
        "reps_at_quota": len(at_quota),
        "attainment_rate": Fraction(len(at_quota), len(with_quota)) if with_quota else None,
    }
