"""Analytics for demo data: plausible exchange rates, then summaries rebuilt from the history.

Demo rows are inserted in bulk without audit entries, so the summaries cannot
follow them through the audit log; `prepare` rebuilds them once at the end.
"""

import datetime
from decimal import Decimal

from lejek.analytics import rebuild
from lejek.analytics.models import ExchangeRate
from lejek.analytics.rates import reporting_currency

# Rough US dollars per unit, only so demo amounts in several currencies add up plausibly.
USD_PER_UNIT = {
    "USD": Decimal("1"),
    "PLN": Decimal("0.25"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CHF": Decimal("1.13"),
}


def prepare(*, now: datetime.datetime, progress: rebuild.Progress | None = None) -> None:
    """Give each demo currency a rate (unless it has one) from before the history, rebuild."""
    reporting = reporting_currency()
    base = USD_PER_UNIT.get(reporting)
    if base is not None:
        since = (now - datetime.timedelta(days=3 * 365)).date()
        for currency, usd in USD_PER_UNIT.items():
            if currency == reporting or ExchangeRate.objects.filter(currency=currency).exists():
                continue
            ExchangeRate.objects.create(
                currency=currency,
                rate=(usd / base).quantize(Decimal("0.00000001")),
                valid_from=since,
            )
    report = progress or (lambda step, done, total: None)
    rebuild.rebuild(progress=lambda step, done, total: report(f"analytics: {step}", done, total))
