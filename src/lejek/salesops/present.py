"""Turning sales-operations results into plain output (API bodies, export rows)."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from lejek.analytics.calc import decimal_places
from lejek.salesops import audits, calc, statements
from lejek.salesops.models import CommissionPlan, Quota, Statement


def ratio(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return decimal_places(Fraction(value))
    return decimal_places(Fraction(value))


def quota_out(q: Quota) -> dict[str, Any]:
    return {
        "id": q.pk,
        "user_id": q.user_id,
        "team_id": q.team_id,
        "kind": q.kind,
        "period_start": q.period_start,
        "period_end": q.period.end,
        "amount": q.amount,
        "currency": q.currency,
        "version": q.version,
    }


def attainment_out(found: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": found["period"].start,
        "end": found["period"].end,
        "currency": found["currency"],
        "reps": [
            {
                "user_id": r["user"].pk,
                "name": r["user"].display_name,
                "quota": r["quota"],
                "won": r["won"],
                "attainment": ratio(r["attainment"]),
            }
            for r in found["reps"]
        ],
        "teams": [
            {
                "team_id": r["team"].pk,
                "name": r["team"].name,
                "quota": r["quota"],
                "won": r["won"],
                "attainment": ratio(r["attainment"]),
            }
            for r in found["teams"]
        ],
        "reps_with_quota": found["reps_with_quota"],
        "reps_at_quota": found["reps_at_quota"],
        "attainment_rate": ratio(found["attainment_rate"]),
    }


def plan_out(p: CommissionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "base_pay": p.base_pay,
        "rate": p.rate,
        "target": p.target,
        "kind": p.kind,
        "tiers": p.tiers,
        "currency": p.currency,
        "is_active": p.is_active,
        "version": p.version,
    }


def statement_out(s: Statement, lines: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": s.pk,
        "rep_id": s.rep_id,
        "rep": s.rep.display_name,
        "month": s.month,
        "plan_id": s.plan_id,
        "plan": s.plan.name,
        "terms": s.terms,
        "status": s.status,
        "currency": s.currency,
        "base_pay": s.base_pay,
        "revenue": s.revenue,
        "commission": s.commission,
        "adjustments": s.adjustments,
        "total_pay": s.total_pay,
        "approved_at": s.approved_at,
        "approved_by_id": s.approved_by_id,
        "version": s.version,
    }
    if lines:
        shown = statements.statement_lines(s)
        body["lines"] = shown.lines
        body["stale"] = shown.stale
    return body


STATEMENT_HEADER = [
    "Line",
    "Adjustment",
    "Deal id",
    "Deal",
    "Won at",
    "Amount",
    "Currency",
    "Revenue",
    "Commission",
    "Note",
]


def statement_rows(s: Statement) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            line.get_kind_display(),
            "yes" if line.is_adjustment else "",
            line.deal_id,
            line.deal_title,
            line.closed_at.isoformat() if line.closed_at else "",
            line.amount,
            line.amount_currency,
            line.revenue,
            line.commission,
            line.note,
        ]
        for line in statements.statement_lines(s).lines
    ]
    for label, value in (
        ("Revenue counted", s.revenue),
        ("Commission (as approved)" if s.is_frozen else "Commission", s.commission),
        ("Adjustments", s.adjustments),
        ("Base pay", s.base_pay),
        ("Total pay", s.total_pay),
    ):
        rows.append([label, "", "", "", "", "", s.currency, "", value, ""])
    return rows


def audit_out(q: audits.Queue) -> dict[str, Any]:
    items = []
    for item in q.items:
        deal, review = item["deal"], item["review"]
        items.append(
            {
                "deal_id": deal.pk,
                "title": deal.title,
                "owner_id": deal.owner_id,
                "owner": deal.owner.display_name,
                "stage": deal.stage.name,
                "amount": deal.amount,
                "currency": deal.currency,
                "expected_close_date": deal.expected_close_date,
                "last_contact_at": deal.last_activity_at,
                "next_activity_at": deal.next_activity_at,
                "next_step": deal.next_step,
                "flags": item["flags"],
                "review": review,
            }
        )
    return {
        "team_id": q.team.pk,
        "week_start": q.week_start,
        "total": q.total,
        "reviewed": q.reviewed,
        "counts": q.counts,
        "items": items,
    }


def _ratios(values: dict[str, Any]) -> dict[str, Decimal | None]:
    return {k: ratio(v) for k, v in values.items()}


QUADRANT_RULE = (
    "x = attainment − team median attainment; y = attainment − previous period's attainment. "
    "x ≥ 0 and y ≥ 0: rising star; x ≥ 0, y < 0: falling star; x < 0, y ≥ 0: improving "
    "laggard; x < 0, y < 0: declining laggard; no quota in either period: not placed."
)


def scorecard_out(board: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": board["period"].start,
        "end": board["period"].end,
        "previous_start": board["previous_period"].start,
        "previous_end": board["previous_period"].end,
        "currency": board["currency"],
        "medians": _ratios(board["medians"]),
        "attainment_rate": ratio(board["attainment_rate"]),
        "rows": [
            {
                "user_id": r["user"].pk,
                "name": r["user"].display_name,
                "quadrant": r["quadrant"],
                "x": ratio(r["x"]),
                "y": ratio(r["y"]),
                "now": _ratios(r["now"]),
                "before": _ratios(r["before"]),
                "vs_median": _ratios(r["vs_median"]),
                "vs_previous": _ratios(r["vs_previous"]),
            }
            for r in board["rows"]
        ],
        "quadrant_rule": QUADRANT_RULE,
    }


def planner_out(found: dict[str, Any], measured_rates: dict[str, Any]) -> dict[str, Any]:
    return {
        "target": ratio(found["target"]),
        "weeks": found["weeks"],
        "reps": found["reps"],
        "deal_size": ratio(found["deal_size"]),
        "rates": _ratios(found["rates"]),
        "measured_rates": _ratios(measured_rates),
        "fallback": found["fallback"],
        "cycle_days": ratio(found["cycle_days"]),
        "steps": [{**row, "exact_per_week": ratio(row["exact_per_week"])} for row in found["rows"]],
    }


QUADRANTS = calc.QUADRANT_LABELS
