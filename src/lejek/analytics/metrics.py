"""Every SPEC metric for one period, from rollup rows already fetched (no SQL here).

`Data` holds the rollup sums the metrics need, grouped by month (and by the
grouping column when there is one); `period_metrics` turns the rows of one
period into the numbers. Definitions the SPEC leaves open are documented in
docs/metrics.md; the main ones are repeated beside the code that applies them.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from lejek.analytics import calc
from lejek.analytics.filters import Period
from lejek.analytics.rates import RateTable

Row = dict[str, Any]
WON, LOST, OPEN = "won", "lost", "open"


@dataclass
class Layout:
    """Active stages per pipeline in order, their probabilities, and each proposal stage."""

    stages: dict[int, list[int]]
    probability: dict[int, int]
    names: dict[int, str]
    pipeline_names: dict[int, str]
    proposal: dict[int, int]
    order: dict[int, int] = field(default_factory=dict)
    pipeline_of: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for pipeline_id, stage_ids in self.stages.items():
            for index, stage_id in enumerate(stage_ids):
                self.order[stage_id] = index
                self.pipeline_of[stage_id] = pipeline_id


KINDS = ("cohort", "closed", "open", "stage_time", "activity", "reached", "lead", "customer")


@dataclass
class Data:
    """Rollup rows by kind; rows of every kind but `open` carry a `month`."""

    cohort: list[Row]
    closed: list[Row]
    open: list[Row]
    stage_time: list[Row]
    activity: list[Row]
    reached: list[Row]
    lead: list[Row]
    customer: list[Row]

    def rows(self) -> dict[str, list[Row]]:
        return {name: getattr(self, name) for name in KINDS}

    def partition(self, key_of: Callable[[Row], Any]) -> dict[Any, "Data"]:
        """One Data per group key, in one pass over the rows."""
        parts: dict[Any, dict[str, list[Row]]] = defaultdict(lambda: {k: [] for k in KINDS})
        for name, rows in self.rows().items():
            for row in rows:
                parts[key_of(row)][name].append(row)
        return {key: Data(**lists) for key, lists in parts.items()}

    @cached_property
    def _by_month(self) -> dict[str, dict[datetime.date, list[Row]]]:
        index: dict[str, dict[datetime.date, list[Row]]] = {}
        for name, rows in self.rows().items():
            if name == "open":
                continue
            months: dict[datetime.date, list[Row]] = defaultdict(list)
            for row in rows:
                months[row["month"]].append(row)
            index[name] = dict(months)
        return index

    def within(self, period: Period) -> "Data":
        """The rows of the months in `period` (open deals are not by month: all of them)."""
        picked: dict[str, list[Row]] = {"open": self.open}
        for name, months in self._by_month.items():
            picked[name] = [r for m, rows in months.items() if period.contains(m) for r in rows]
        return Data(**picked)

    def through(self, name: str, end: datetime.date) -> list[Row]:
        """The rows of one kind in every month up to `end`, included."""
        return [r for m, rows in self._by_month[name].items() if m <= end for r in rows]


@dataclass
class Money:
    """A converted total, the deals it covers, and the deals that could not be converted.

    Cents are added up as integers per exchange rate and converted once per rate.
    """

    count: int = 0
    unconvertible: int = 0
    unconvertible_currencies: set[str] = field(default_factory=set)
    cents: dict[Any, int] = field(default_factory=lambda: defaultdict(int))
    acv_cents: dict[Any, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self, cents: int, count: int, factor: Any, acv_cents: int = 0, currency: str = ""
    ) -> None:
        if not count:
            return
        if factor is None:
            self.unconvertible += count
            self.unconvertible_currencies.add(currency)
            return
        self.cents[factor] += int(cents)
        self.acv_cents[factor] += int(acv_cents or 0)
        self.count += count

    @property
    def total(self) -> Fraction:
        return _convert(self.cents)

    @property
    def acv_total(self) -> Fraction:
        return _convert(self.acv_cents)


def _convert(cents_by_factor: dict[Any, int]) -> Fraction:
    return calc.total(
        Fraction(cents) * Fraction(factor) / 100 for factor, cents in cents_by_factor.items()
    )


def _sum(rows: Iterable[Row], key: str = "n") -> int:
    return sum(int(r[key] or 0) for r in rows)


def period_metrics(
    data: Data, period: Period, layout: Layout, rates: RateTable, today: datetime.date
) -> dict[str, Any]:
    """All numbers for `period` from `data` (which may hold other months too)."""
    inside = data.within(period)
    m: dict[str, Any] = {}

    # Deals created in the period (the cohort) and how far they got.
    m["new_deals"] = _sum(inside.cohort)
    cohort_won = _sum(r for r in inside.cohort if r["status"] == WON)
    m["close_rate"] = calc.ratio(cohort_won, m["new_deals"])
    proposals = proposals_won = 0
    for pipeline_id, stage_id in layout.proposal.items():
        steps = funnel_steps(inside.cohort, layout, pipeline_id)
        step = next((s for s in steps if s.stage_id == stage_id), None)
        if step is not None:
            proposals += step.reached
            proposals_won += step.won
    m["proposals_sent"] = proposals
    m["close_rate_proposals"] = calc.ratio(proposals_won, proposals)

    # Deals closed in the period.
    won = [r for r in inside.closed if r["status"] == WON]
    m["won"] = _sum(won)
    m["lost"] = _sum(r for r in inside.closed if r["status"] == LOST)
    m["win_rate"] = calc.ratio(m["won"], m["won"] + m["lost"])
    m["win_loss_ratio"] = calc.ratio(m["won"], m["lost"])
    revenue = Money()
    for r in won:
        factor = rates.factor(r["currency"], r["rate_from"])
        revenue.add(r["cents"], r["n_amount"], factor, r["acv_cents"], r["currency"])
    m["revenue_won"] = revenue.total
    m["won_unconvertible"] = revenue.unconvertible
    m["unconvertible_currencies"] = sorted(revenue.unconvertible_currencies)
    m["won_without_amount"] = m["won"] - _sum(won, "n_amount")
    m["average_deal_size"] = calc.mean(revenue.total, revenue.count)
    m["acv"] = calc.mean(revenue.acv_total, revenue.count)
    m["average_sales_cycle_days"] = calc.days(calc.mean(_sum(won, "seconds"), m["won"]))
    m["follow_ups_per_won_deal"] = calc.ratio(_sum(won, "touches"), m["won"])
    m["won_with_5_follow_ups"] = calc.ratio(_sum(won, "touches5"), m["won"])

    # Open opportunities at the end of the period: created by then and not yet closed.
    created = _sum(data.through("cohort", period.end))
    closed = _sum(data.through("closed", period.end))
    m["open_opportunities"] = created - closed
    m["sales_velocity"] = calc.sales_velocity(
        m["open_opportunities"],
        m["average_deal_size"],
        m["win_rate"],
        m["average_sales_cycle_days"],
    )

    # Activities and prospects.
    measures: dict[str, Row] = defaultdict(lambda: {"n": 0, "seconds": 0})
    for r in inside.activity:
        measures[r["status"]]["n"] += int(r["n"] or 0)
        measures[r["status"]]["seconds"] += int(r["seconds"] or 0)
    m["outreach_sent"] = measures["outreach"]["n"]
    m["replies"] = measures["reply"]["n"]
    m["response_rate"] = calc.ratio(m["replies"], m["outreach_sent"])
    m["positive_reply_rate"] = calc.ratio(measures["positive"]["n"], m["replies"])
    m["meetings_booked"] = measures["meeting"]["n"]
    m["outbound_touches"] = measures["touch"]["n"]
    m["prospects_contacted"] = _sum(inside.reached)
    m["meeting_booking_rate"] = calc.ratio(m["meetings_booked"], m["prospects_contacted"])
    m["close_rate_reached"] = calc.ratio(m["won"], m["prospects_contacted"])
    m["close_rate_meetings"] = calc.ratio(m["won"], m["meetings_booked"])
    m["selling_time"] = calc.ratio(measures["facing"]["seconds"], measures["logged"]["seconds"])
    m["new_leads"] = _sum(inside.lead)

    # Customer lifetime value: accounts with a won deal by the end of the period.
    account_revenue = Money()
    for r in data.through("closed", period.end):
        if r["status"] == WON and r["org_cents"]:
            factor = rates.factor(r["currency"], r["rate_from"])
            account_revenue.add(r["org_cents"], 1, factor)
    accounts = data.through("customer", period.end)
    customers = calc.Customers(
        account_revenue.total, _sum(accounts), _sum(accounts, "seconds") // calc.SECONDS_PER_DAY
    )
    m["customers"] = customers.customers
    m["clv"] = customers.clv
    m["revenue_per_customer_year"] = customers.revenue_per_customer_year
    m["customer_lifetime_years"] = customers.mean_lifetime_years

    # Open pipeline now, at today's rates.
    value, weighted = Money(), Money()
    for r in data.open:
        factor = rates.today_factor(r["currency"], today)
        value.add(r["cents"], r["n_amount"], factor)
        if factor is not None:
            probability = layout.probability.get(r["stage_id"], 0)
            weighted.add(r["cents"] * probability, r["n_amount"], factor / 100)
    m["open_now"] = _sum(data.open)
    m["pipeline_value"] = value.total
    m["weighted_pipeline_value"] = weighted.total
    m["open_unconvertible"] = value.unconvertible
    return m


def funnel_steps(cohort: list[Row], layout: Layout, pipeline_id: int) -> list[calc.FunnelStep]:
    furthest: dict[int, int] = defaultdict(int)
    won: dict[int, int] = defaultdict(int)
    for r in cohort:
        if r["pipeline_id"] != pipeline_id:
            continue
        furthest[r["stage_id"]] += int(r["n"])
        if r["status"] == WON:
            won[r["stage_id"]] += int(r["n"])
    return calc.funnel(layout.stages.get(pipeline_id, []), furthest, won)


def stage_days(stage_time: list[Row]) -> dict[int, Fraction | None]:
    """Mean days in each stage over the stays that ended in the rows' months."""
    seconds: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for r in stage_time:
        seconds[r["stage_id"]] += int(r["seconds"] or 0)
        count[r["stage_id"]] += int(r["n"] or 0)
    return {s: calc.days(calc.mean(seconds[s], count[s])) for s in count}


def revenue_by_stage(
    open_rows: list[Row], layout: Layout, rates: RateTable, today: datetime.date
) -> dict[int, dict[str, Any]]:
    result: dict[int, dict[str, Any]] = {}
    for r in open_rows:
        entry = result.setdefault(
            r["stage_id"], {"money": Money(), "weighted": Fraction(0), "deals": 0}
        )
        factor = rates.today_factor(r["currency"], today)
        entry["money"].add(r["cents"], r["n_amount"], factor)
        entry["deals"] += int(r["n"])
        if factor is not None:
            probability = layout.probability.get(r["stage_id"], 0)
            entry["weighted"] += Fraction(r["cents"]) * Fraction(factor) / 100 * probability / 100
    return result
