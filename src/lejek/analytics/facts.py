"""From one deal's raw history to its summary rows: plain data in, plain data out.

No database here, so the rules are easy to test and the same code serves the
incremental refresh and the full rebuild (which is why the two always agree).

Rules:
- a deal reached every stage it ever entered; its furthest stage is the one of
  those with the highest current order among the active stages of its pipeline;
- a stay in a stage runs from entering it until the deal moves on or is closed;
  reopening starts a new stay in the stage it is in; only ended stays count;
- at equal timestamps a stage change comes before a status change (a deal
  reaches its last stage and is won in the same instant).
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from lejek.analytics.models import NONE_DATE

OPEN, WON, LOST = "open", "won", "lost"


# The records read from the database are named tuples, not frozen dataclasses: a rebuild
# makes ten million of them, and a frozen dataclass's __init__ (one object.__setattr__ a
# field) cost 14 s of CPU at a million deals, a tuple's about 3 s.
class StageEvent(NamedTuple):
    to_stage_id: int
    at: datetime.datetime


class StatusEvent(NamedTuple):
    to_status: str
    at: datetime.datetime
    amount: Decimal | None
    currency: str


class DealRow(NamedTuple):
    id: int
    pipeline_id: int
    owner_id: int
    organization_id: int | None
    lead_id: int | None
    source: str
    stage_id: int
    amount: Decimal | None
    currency: str
    contract_years: Decimal | None
    created_at: datetime.datetime


@dataclass(frozen=True)
class Touches:
    """Outbound emails and calls done on the deal: (done_at, ...) in any order."""

    done_at: Sequence[datetime.datetime] = ()


@dataclass(slots=True)
class StageStay:
    stage_id: int
    first_reached_at: datetime.datetime
    left_at: datetime.datetime | None = None
    seconds: int = 0
    visits: int = 0


@dataclass
class DealFacts:
    summary: dict[str, object]
    stages: list[StageStay] = field(default_factory=list)


Month = Callable[[datetime.datetime], datetime.date]
RateFrom = Callable[[str, datetime.date], datetime.date | None]


def cents(amount: Decimal | None) -> int | None:
    """Amounts have two decimal places, so this is exact."""
    return None if amount is None else int(amount * 100)


def acv_cents(amount_cents: int | None, contract_years: Decimal | None) -> int | None:
    """Annualised contract value to the cent (half up): amount ÷ years, one year if unknown."""
    if amount_cents is None:
        return None
    years = contract_years if contract_years else Decimal(1)
    return int((Decimal(amount_cents) / years).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def deal_facts(
    deal: DealRow,
    stage_events: Sequence[StageEvent],
    status_events: Sequence[StatusEvent],
    *,
    stage_orders: dict[int, tuple[int, int]],
    touches: Touches,
    month: Month,
    local_date: Callable[[datetime.datetime], datetime.date],
    rate_from: RateFrom,
    reporting_currency: str,
) -> DealFacts:
    """The summary of one deal. `stage_orders` maps active stage ids to (pipeline id, order)."""
    events: list[tuple[datetime.datetime, int, StageEvent | StatusEvent]] = []
    events += [(e.at, 0, e) for e in stage_events]
    events += [(e.at, 1, e) for e in status_events]
    events.sort(key=lambda item: (item[0], item[1]))  # stable: keeps id order within a time
    if not stage_events:
        events.insert(0, (deal.created_at, 0, StageEvent(deal.stage_id, deal.created_at)))

    stays: dict[int, StageStay] = {}
    is_open, current, since = True, None, None
    status, close = OPEN, None
    for at, _, event in events:
        if isinstance(event, StageEvent):
            if is_open and current is not None and since is not None:
                _end(stays[current], since, at)
            current = event.to_stage_id
            stay = stays.setdefault(current, StageStay(current, at))
            stay.visits += 1
            since = at if is_open else None
        elif event.to_status in (WON, LOST):
            if is_open and current is not None and since is not None:
                _end(stays[current], since, at)
            is_open, since, status, close = False, None, event.to_status, event
        else:
            if not is_open:
                is_open, since, status, close = True, at, OPEN, None

    furthest = _furthest(stays, deal.pipeline_id, stage_orders)
    first_touch = min(touches.done_at, default=None)
    summary: dict[str, object] = {
        "deal_id": deal.id,
        "pipeline_id": deal.pipeline_id,
        "owner_id": deal.owner_id,
        "organization_id": deal.organization_id,
        "lead_id": deal.lead_id,
        "source": deal.source,
        "status": status,
        "stage_id": current if current is not None else deal.stage_id,
        "furthest_stage_id": furthest,
        "created_at": deal.created_at,
        "created_month": month(deal.created_at),
        "contract_years": deal.contract_years,
        "first_touch_month": month(first_touch) if first_touch else None,
        "closed_at": None,
        "closed_date": None,
        "closed_month": None,
        "cycle_seconds": None,
        "amount_cents": cents(deal.amount),
        "acv_cents": None,
        "currency": deal.currency,
        "rate_from": NONE_DATE,
        "touches": len(touches.done_at),
    }
    if close is not None:
        day = local_date(close.at)
        summary.update(
            closed_at=close.at,
            closed_date=day,
            closed_month=month(close.at),
            cycle_seconds=int((close.at - deal.created_at).total_seconds()),
            amount_cents=cents(close.amount),
            acv_cents=acv_cents(cents(close.amount), deal.contract_years),
            currency=close.currency,
            touches=sum(1 for t in touches.done_at if t <= close.at),
        )
        if close.amount is not None and close.currency != reporting_currency:
            summary["rate_from"] = rate_from(close.currency, day) or NONE_DATE
    return DealFacts(summary=summary, stages=list(stays.values()))


def _end(stay: StageStay, since: datetime.datetime, at: datetime.datetime) -> None:
    stay.seconds += max(0, int((at - since).total_seconds()))
    stay.left_at = at


def _furthest(
    stays: dict[int, StageStay], pipeline_id: int, stage_orders: dict[int, tuple[int, int]]
) -> int:
    best, best_order = 0, -1
    for stage_id in stays:
        pipeline_and_order = stage_orders.get(stage_id)
        if pipeline_and_order is None or pipeline_and_order[0] != pipeline_id:
            continue  # removed, or a stage of another pipeline the deal was in before
        order = pipeline_and_order[1]
        if order > best_order or (order == best_order and stage_id < best):
            best, best_order = stage_id, order
    return best
