"""Won revenue in the reporting currency: split into new business, expansion and renewals,
per customer account (lifetime) and per referring customer.

Read from the analytics deal summaries (amount in cents, currency and the exchange rate in
force on the close date). Cents are summed per (currency, rate) in the database and converted
once per group here, so every figure is exact to the cent and the dashboard's split adds up to
its won revenue. Amounts without an exchange rate are counted as unconvertible, never guessed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from lejek.analytics import feed
from lejek.analytics.filters import Filters
from lejek.analytics.models import DealSummary, ExchangeRate
from lejek.analytics.rates import RateTable, convert_cents, reporting_currency, to_money
from lejek.customers.models import CustomerDeal, DealKind

RATE = DecimalField(max_digits=18, decimal_places=8)


@dataclass
class Converted:
    """An amount in the reporting currency, the deals counted in it, and those left out."""

    amount: Decimal = Decimal(0)
    deals: int = 0
    unconvertible: int = 0

    def add(self, row: dict[str, Any], table: RateTable) -> None:
        if row["cents"] is None:  # won without an amount: counted, adds nothing
            self.deals += row["deals"]
            return
        factor = table.factor(row["currency"], row["rate_from"])
        if factor is None:
            self.unconvertible += row["deals"]
            return
        self.amount += convert_cents(row["cents"], factor)
        self.deals += row["deals"]

    @property
    def money(self) -> Decimal:
        return to_money(self.amount)


def won(**filters: Any) -> QuerySet[DealSummary]:
    """Summaries of won deals, read after the feed has caught up with edits."""
    feed.catch_up()
    return DealSummary.objects.filter(status="won", **filters)


def grouped(qs: QuerySet[DealSummary], key: str | None = None) -> dict[Any, Converted]:
    """Σ per `key` (one bucket under None when no key) in the reporting currency."""
    fields = [key] if key else []
    rows = (
        qs.values(*fields, "currency", "rate_from")
        .annotate(cents=Sum("amount_cents"), deals=Count("deal_id"))
        .order_by()
    )
    table = RateTable.load()
    totals: dict[Any, Converted] = defaultdict(Converted)
    for row in rows:
        totals[row[key] if key else None].add(row, table)
    return totals


def total(qs: QuerySet[DealSummary]) -> Converted:
    return grouped(qs).get(None) or Converted()


def by_kind(qs: QuerySet[DealSummary]) -> dict[str, Any]:
    """{"currency", "kinds": [{"kind", "label", "amount", "deals"}], "total", "unconvertible"}."""
    kind = CustomerDeal.objects.filter(deal_id=OuterRef("deal_id")).values("kind")[:1]
    found = grouped(qs.annotate(kind=Subquery(kind)), "kind")
    totals = {k: Converted() for k in DealKind.values}
    for name, value in found.items():
        part = totals[name or DealKind.NEW_BUSINESS]
        part.amount += value.amount
        part.deals += value.deals
        part.unconvertible += value.unconvertible
    kinds = [
        {"kind": k, "label": label, "amount": totals[k].money, "deals": totals[k].deals}
        for k, label in DealKind.choices
    ]
    return {
        "currency": reporting_currency(),
        "kinds": kinds,
        "amounts": {k: totals[k].money for k in DealKind.values},
        "total": to_money(sum((t.amount for t in totals.values()), Decimal(0))),
        "unconvertible": sum(t.unconvertible for t in totals.values()),
    }


def split(filters: Filters) -> dict[str, Any]:
    """The dashboard's card: won revenue by kind with the dashboard's filters."""
    period = filters.period
    qs = won(closed_month__gte=period.start, closed_month__lte=period.end)
    if filters.owner_ids is not None:
        qs = qs.filter(owner_id__in=filters.owner_ids)
    if filters.pipeline_ids is not None:
        qs = qs.filter(pipeline_id__in=filters.pipeline_ids)
    if filters.sources is not None:
        qs = qs.filter(source__in=filters.sources)
    return by_kind(qs)


def lifetime(org_ids: Iterable[int] | QuerySet[Any]) -> dict[int, Converted]:
    """Each account's won revenue over its whole life, exact (organizations by id)."""
    return grouped(won(organization_id__in=org_ids), "organization_id")


def attach_lifetime(orgs: list[Any]) -> list[Any]:
    """Set `revenue` and `unconvertible_deals` on listed organizations from `lifetime`."""
    found = lifetime([o.pk for o in orgs])
    for org in orgs:
        value = found.get(org.pk) or Converted()
        org.revenue = value.money
        org.unconvertible_deals = value.unconvertible
    return orgs


def lifetime_for_sorting(org_ref: Any) -> Subquery:
    """The same figure as one SQL value per account, for sorting a list only.

    Each deal's cents × its rate summed in the database: exact on PostgreSQL, floating point
    on SQLite, which can misplace two accounts within a cent of each other but never changes a
    figure shown (those come from `lifetime`).
    """
    rate = ExchangeRate.objects.filter(
        currency=OuterRef("currency"), valid_from=OuterRef("rate_from")
    ).values("rate")[:1]
    factor = Case(
        When(currency=reporting_currency(), then=Value(Decimal(1), output_field=RATE)),
        default=Subquery(rate, output_field=RATE),
        output_field=RATE,
    )
    rows = (
        DealSummary.objects.filter(organization_id=org_ref, status="won")
        .annotate(factor=factor)
        .values("organization_id")
        .annotate(s=Sum(F("amount_cents") * F("factor"), output_field=RATE))
        .values("s")[:1]
    )
    return Subquery(rows, output_field=RATE)
