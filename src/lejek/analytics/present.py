"""Every metric's name, label and kind, and how its exact value is written out.

The API, the dashboard tiles and the exports all go through `value_text` /
`plain`, so a number reads the same everywhere: counts as integers, ratios as
decimal strings (0–1, six places, half-even), money as a string with two places
in the reporting currency, days as decimal strings, and null when not available.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from lejek.analytics import calc

# RATIO: a share (0–1, shown as a percentage); NUMBER: any other exact quotient.
COUNT, RATIO, NUMBER, MONEY, HOURS = "count", "ratio", "number", "money", "hours"


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # a lazy translation
    kind: str


METRICS = (
    Metric("new_deals", _("New deals"), COUNT),
    Metric("new_leads", _("New leads"), COUNT),
    Metric("open_opportunities", _("Open opportunities"), COUNT),
    Metric("won", _("Deals won"), COUNT),
    Metric("lost", _("Deals lost"), COUNT),
    Metric("win_rate", _("Win rate"), RATIO),
    Metric("win_loss_ratio", _("Win/loss ratio"), NUMBER),
    Metric("revenue_won", _("Revenue won"), MONEY),
    Metric("average_deal_size", _("Average deal size"), MONEY),
    Metric("acv", _("Average contract value per year (ACV)"), MONEY),
    Metric("average_sales_cycle_days", _("Average sales cycle (days)"), NUMBER),
    Metric("sales_velocity", _("Sales velocity (per day)"), MONEY),
    Metric("pipeline_value", _("Pipeline value"), MONEY),
    Metric("weighted_pipeline_value", _("Weighted pipeline value"), MONEY),
    Metric("close_rate", _("Close rate (of deals created)"), RATIO),
    Metric("close_rate_reached", _("Close rate (of prospects reached)"), RATIO),
    Metric("close_rate_meetings", _("Close rate (of meetings booked)"), RATIO),
    Metric("close_rate_proposals", _("Close rate (of proposals sent)"), RATIO),
    Metric("proposals_sent", _("Proposals sent"), COUNT),
    Metric("outreach_sent", _("Outreach emails sent"), COUNT),
    Metric("replies", _("Replies received"), COUNT),
    Metric("response_rate", _("Response rate"), RATIO),
    Metric("positive_reply_rate", _("Positive replies"), RATIO),
    Metric("prospects_contacted", _("Prospects contacted"), COUNT),
    Metric("meetings_booked", _("Meetings booked"), COUNT),
    Metric("meeting_booking_rate", _("Meeting booking rate"), RATIO),
    Metric("lead_response_seconds", _("Lead response time (hours, median)"), HOURS),
    Metric("leads_responded", _("Leads contacted"), COUNT),
    Metric("selling_time", _("Selling time"), RATIO),
    Metric("follow_ups_per_won_deal", _("Follow-ups per won deal"), NUMBER),
    Metric("won_with_5_follow_ups", _("Won deals with 5+ follow-ups"), RATIO),
    Metric("customers", _("Customer accounts"), COUNT),
    Metric("clv", _("Customer lifetime value (CLV)"), MONEY),
    Metric("revenue_per_customer_year", _("Revenue per account per year"), MONEY),
    Metric("customer_lifetime_years", _("Customer lifetime (years)"), NUMBER),
    Metric("won_unconvertible", _("Won deals without an exchange rate"), COUNT),
    Metric("won_without_amount", _("Won deals without an amount"), COUNT),
    Metric("open_unconvertible", _("Open deals without an exchange rate"), COUNT),
)
BY_KEY = {m.key: m for m in METRICS}
TILES = (
    "revenue_won",
    "won",
    "win_rate",
    "average_deal_size",
    "average_sales_cycle_days",
    "sales_velocity",
    "new_deals",
    "close_rate",
    "pipeline_value",
    "weighted_pipeline_value",
    "response_rate",
    "meeting_booking_rate",
    "new_leads",
    "lead_response_seconds",
    "acv",
    "clv",
)
# Values of today, whatever the period: nothing to compare them with.
NOW = ("pipeline_value", "weighted_pipeline_value", "open_unconvertible")
COMPARED = tuple(m.key for m in METRICS if m.key not in NOW)


def plain(kind: str, value: Any) -> Decimal | int | None:
    """The value as a number a spreadsheet keeps (Decimal or int), exact to its kind's places."""
    if value is None:
        return None
    if kind == COUNT:
        return int(value)
    fraction = Fraction(value)
    if kind == MONEY:
        return calc.money(fraction)
    if kind == HOURS:
        fraction = fraction / 3600
    return calc.decimal_places(fraction, 6)


def value_text(kind: str, value: Any) -> str | int | None:
    """The API form: ints for counts, decimal strings otherwise, None when not available."""
    number = plain(kind, value)
    if number is None or isinstance(number, int):
        return number
    return format(number, "f")


def metric_values(numbers: dict[str, Any]) -> dict[str, Any]:
    return {m.key: value_text(m.kind, numbers.get(m.key)) for m in METRICS}


def shown(kind: str, value: Any, currency: str) -> str:
    """For people: percentages with one decimal (SPEC), money with its currency, "—" for none."""
    if value is None:
        return "—"
    if kind == RATIO:
        return f"{calc.decimal_places(Fraction(value) * 100, 1)} %"
    number = plain(kind, value)
    if kind == MONEY:
        return f"{number:,.2f} {currency}"
    if kind == COUNT:
        return f"{number:,}"
    return f"{number:,.1f}"


def money_out(value: Any, currency: str) -> dict[str, str] | None:
    amount = plain(MONEY, value)
    return None if amount is None else {"amount": format(amount, "f"), "currency": currency}


def metrics_out(numbers: dict[str, Any] | None, currency: str) -> dict[str, Any] | None:
    if numbers is None:
        return None
    result: dict[str, Any] = {}
    for m in METRICS:
        value = numbers.get(m.key)
        result[m.key] = money_out(value, currency) if m.kind == MONEY else value_text(m.kind, value)
    return result


def _period(period: Any) -> dict[str, str] | None:
    if period is None or period.is_all_time:
        return None
    return {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}


def report_out(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the API returns it (see schemas.ReportOut)."""
    currency = report["reporting_currency"]
    ratio = lambda v: value_text(RATIO, v)  # noqa: E731
    number = lambda v: value_text(NUMBER, v)  # noqa: E731
    return {
        "reporting_currency": currency,
        "period": _period(report["period"]),
        "previous_period": _period(report["previous_period"]),
        "current": metrics_out(report["current"], currency),
        "previous": metrics_out(report["previous"], currency),
        "changes": {key: ratio(report["changes"].get(key)) for key in COMPARED},
        "funnels": [
            {
                **{k: f[k] for k in ("pipeline_id", "pipeline", "proposal_stage_id")},
                "steps": [
                    {
                        **step,
                        "conversion": ratio(step["conversion"]),
                        "close_rate": ratio(step["close_rate"]),
                        "days_in_stage": number(step["days_in_stage"]),
                    }
                    for step in f["steps"]
                ],
            }
            for f in report["funnels"]
        ],
        "stages": [
            {
                **s,
                "value": money_out(s["value"], currency),
                "weighted": money_out(s["weighted"], currency),
            }
            for s in report["stages"]
        ],
        "trend": [
            {
                **t,
                "month": f"{t['month']:%Y-%m}",
                "win_rate": ratio(t["win_rate"]),
                "revenue_won": money_out(t["revenue_won"], currency),
                "average_deal_size": money_out(t["average_deal_size"], currency),
                "average_sales_cycle_days": number(t["average_sales_cycle_days"]),
                "sales_velocity": money_out(t["sales_velocity"], currency),
            }
            for t in report["trend"]
        ],
        "unconvertible": [
            {
                "deal_id": u["deal_id"],
                "title": u["deal__title"],
                "amount": format(Decimal(u["amount_cents"]) / 100, ".2f"),
                "currency": u["currency"],
                "closed_date": u["closed_date"],
            }
            for u in report["unconvertible"]
        ],
        "group_by": report["group_by"],
        "groups": [
            {"key": g["key"], "label": g["label"], "metrics": metrics_out(g["metrics"], currency)}
            for g in report["groups"]
        ],
    }
