"""The goal planner (seed 000 §2, "reverse funnel"): how many leads, conversations, meetings
and proposals a team needs per week, and per rep, to reach a revenue target.

The rates come from the team's own history (the last `HISTORY_MONTHS` complete months,
through the analytics summaries) and can be overridden for what-if plans; a rate the
history cannot give (nothing to divide by) falls back to `FALLBACK` and says so.
"""

import math
from fractions import Fraction
from typing import Any

from django.utils import timezone

from lejek.accounts.models import User
from lejek.analytics import feed, metrics
from lejek.analytics import selectors as analytics_selectors
from lejek.analytics.filters import Filters, Period, add_months, this_month
from lejek.analytics.loaders import local_date
from lejek.analytics.rates import RateTable
from lejek.salesops import calc, selectors

HISTORY_MONTHS = 6
RATE_NAMES = (
    "lead_to_conversation",
    "conversation_to_meeting",
    "meeting_to_proposal",
    "proposal_to_won",
)
FALLBACK = {
    "lead_to_conversation": Fraction(1, 5),
    "conversation_to_meeting": Fraction(1, 4),
    "meeting_to_proposal": Fraction(2, 5),
    "proposal_to_won": Fraction(3, 10),
}
FALLBACK_DEAL_SIZE = Fraction(5000)


def _capped(value: Fraction | None) -> Fraction | None:
    if value is None or value <= 0:
        return None
    return min(Fraction(value), Fraction(1))


def measured(user: User, team_id: int | None = None) -> dict[str, Any]:
    """Rates, deal size and cycle from the last complete months of the visible team."""
    feed.catch_up()
    reps = selectors.visible_users(user)
    if team_id is not None:
        reps = reps.filter(team_id=team_id)
    ids = tuple(reps.values_list("pk", flat=True))
    last = add_months(this_month(), -1)
    period = Period(add_months(last, -(HISTORY_MONTHS - 1)), last)
    filters = Filters(period=period, owner_ids=ids)
    data = analytics_selectors.fetch(filters, start=period.start, end=period.end)
    m = metrics.period_metrics(
        data, period, analytics_selectors.layout(), RateTable.load(), local_date(timezone.now())
    )
    ratio = calc_ratio
    rates = {
        "lead_to_conversation": _capped(ratio(m["replies"], m["prospects_contacted"])),
        "conversation_to_meeting": _capped(ratio(m["meetings_booked"], m["replies"])),
        "meeting_to_proposal": _capped(ratio(m["proposals_sent"], m["meetings_booked"])),
        "proposal_to_won": _capped(m["close_rate_proposals"]),
    }
    rep_count = reps.filter(role=User.Role.REP).count() or 1
    return {
        "period": period,
        "rates": rates,
        "deal_size": m["average_deal_size"],
        "cycle_days": m["average_sales_cycle_days"],
        "reps": rep_count,
    }


def calc_ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def plan(
    *,
    target: Fraction,
    weeks: int,
    reps: int,
    deal_size: Fraction | None,
    rates: dict[str, Fraction | None],
    cycle_days: Fraction | None,
) -> dict[str, Any]:
    """The reverse funnel with fallbacks filled in; the result rounded up for display."""
    used = {name: rates.get(name) or FALLBACK[name] for name in RATE_NAMES}
    fallback = [name for name in RATE_NAMES if not rates.get(name)]
    size = deal_size or FALLBACK_DEAL_SIZE
    if not deal_size:
        fallback.append("deal_size")
    result = calc.reverse_funnel(
        target=target,
        deal_size=size,
        rates=calc.Rates(**used),
        weeks=weeks,
        reps=reps,
        cycle_days=cycle_days,
    )
    return {
        "target": target,
        "weeks": weeks,
        "reps": reps,
        "deal_size": size,
        "rates": used,
        "fallback": fallback,
        "cycle_days": cycle_days,
        "result": result,
        "rows": [
            {
                "step": step,
                "total": math.ceil(result.total[step]),
                "per_week": math.ceil(result.per_week[step]),
                "per_rep_week": math.ceil(result.per_rep_week[step]),
                "exact_per_week": result.per_week[step],
            }
            for step in calc.FUNNEL
        ],
    }
