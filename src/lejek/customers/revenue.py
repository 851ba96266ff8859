"""Won revenue split into new business, expansion and renewals, in the reporting currency.

Read from the analytics deal summaries (amount in cents, currency and the exchange rate in
force on the close date), with the dashboard's filters, so the split adds up exactly to the
dashboard's won revenue. Amounts without an exchange rate are counted, never guessed.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Sum

from lejek.analytics import feed
from lejek.analytics.filters import Filters
from lejek.analytics.models import DealSummary
from lejek.analytics.rates import RateTable, convert_cents, to_money
from lejek.customers.models import CustomerDeal, DealKind


def split(filters: Filters) -> dict[str, Any]:
    """{"currency", "kinds": [{"kind", "label", "amount", "deals"}], "total", "unconvertible"}."""
    feed.catch_up()  # summaries follow edits made outside the deal services
    period = filters.period
    qs = DealSummary.objects.filter(
        status="won", closed_month__gte=period.start, closed_month__lte=period.end
    )
    if filters.owner_ids is not None:
        qs = qs.filter(owner_id__in=filters.owner_ids)
    if filters.pipeline_ids is not None:
        qs = qs.filter(pipeline_id__in=filters.pipeline_ids)
    if filters.sources is not None:
        qs = qs.filter(source__in=filters.sources)
    kind = CustomerDeal.objects.filter(deal_id=OuterRef("deal_id")).values("kind")[:1]
    rows = (
        qs.annotate(kind=Subquery(kind))
        .values("kind", "currency", "rate_from")
        .annotate(cents=Sum("amount_cents"), deals=Count("deal_id"))
        .order_by()
    )
    table = RateTable.load()
    amounts = {k: Decimal(0) for k in DealKind.values}
    deals = dict.fromkeys(DealKind.values, 0)
    unconvertible = 0
    for row in rows:
        name = row["kind"] or DealKind.NEW_BUSINESS
        factor = table.factor(row["currency"], row["rate_from"])
        if row["cents"] is None:
            deals[name] += row["deals"]
            continue
        if factor is None:
            unconvertible += row["deals"]
            continue
        amounts[name] += convert_cents(row["cents"], factor)
        deals[name] += row["deals"]
    kinds = [
        {"kind": k, "label": label, "amount": to_money(amounts[k]), "deals": deals[k]}
        for k, label in DealKind.choices
    ]
    return {
        "currency": table.reporting,
        "kinds": kinds,
        "total": to_money(sum(amounts.values(), Decimal(0))),
        "unconvertible": unconvertible,
    }
