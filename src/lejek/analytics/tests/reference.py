"""A direct, slow recomputation of the history metrics from the raw tables (for tests only).

Written independently of `facts` and the rollup: it reads every deal's StageChange
and StatusChange rows and the current Deal row and counts, for all time.
"""

from collections import defaultdict
from fractions import Fraction
from typing import Any

from lejek.activities.models import Activity
from lejek.analytics import calc, rates
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Stage, StageChange, StatusChange


def all_time() -> dict[str, Any]:
    active = {s.pk: s for s in Stage.objects.active()}
    reached: dict[int, int] = defaultdict(int)
    stay_seconds: dict[int, int] = defaultdict(int)
    stay_deals: dict[int, int] = defaultdict(int)
    won = lost = 0
    cycle = 0
    revenue = Fraction(0)
    table = rates.RateTable.load()
    from lejek.analytics.loaders import local_date

    for deal in Deal.objects.alive().order_by("pk"):
        moves = list(StageChange.objects.filter(deal=deal).order_by("at", "id"))
        closes = list(StatusChange.objects.filter(deal=deal).order_by("at", "id"))
        # Furthest stage by current order among the active stages of the deal's pipeline.
        orders = [
            active[m.to_stage_id].order
            for m in moves
            if m.to_stage_id in active and active[m.to_stage_id].pipeline_id == deal.pipeline_id
        ]
        if orders:
            for stage in active.values():
                if stage.pipeline_id == deal.pipeline_id and stage.order <= max(orders):
                    reached[stage.pk] += 1
        # Time in stage: walk the merged timeline.
        timeline = sorted(
            [(m.at, 0, "stage", m.to_stage_id) for m in moves]
            + [(c.at, 1, "status", c.to_status) for c in closes],
            key=lambda e: (e[0], e[1]),
        )
        spent: dict[int, int] = defaultdict(int)
        ended: set[int] = set()
        is_open, current, since = True, None, None
        for at, _, what, value in timeline:
            if what == "stage":
                if is_open and current is not None:
                    spent[current] += int((at - since).total_seconds())
                    ended.add(current)
                current, since = value, at
            elif value in ("won", "lost") and is_open:
                if current is not None:
                    spent[current] += int((at - since).total_seconds())
                    ended.add(current)
                is_open = False
            elif value == "open" and not is_open:
                is_open, since = True, at
        for stage_id in ended:
            stay_seconds[stage_id] += spent[stage_id]
            stay_deals[stage_id] += 1
        # Outcome, as the deal row has it.
        if deal.status == "won":
            won += 1
            cycle += int((deal.closed_at - deal.created_at).total_seconds())
            close = closes[-1]
            if close.amount is not None:
                factor = table.factor(
                    close.currency, table.rate_from(close.currency, local_date(close.at))
                )
                if factor is not None:
                    revenue += Fraction(int(close.amount * 100)) * Fraction(factor) / 100
        elif deal.status == "lost":
            lost += 1
    responses = []
    leads = list(Lead.objects.alive())
    for lead in leads:
        touches = Activity.objects.alive().filter(
            lead=lead, kind__in=("email", "call"), direction="outbound", done_at__isnull=False
        )
        first = min((a.done_at for a in touches), default=None)
        if first is not None:
            responses.append(max(0, int((first - lead.created_at).total_seconds())))
    return {
        "new_leads": len(leads),
        "lead_response": calc.median(responses),
        "reached": dict(reached),
        "stay_seconds": dict(stay_seconds),
        "stay_deals": dict(stay_deals),
        "won": won,
        "lost": lost,
        "cycle_seconds": cycle,
        "open": Deal.objects.alive().filter(status="open").count(),
        "revenue": revenue,
    }
