"""Exchange rates to the reporting currency: which rate applies, and conversion.

A rate is valid from its date until the next rate of the same currency. Amounts
in a currency without a rate on the date that matters are "unconvertible": they
are counted and listed, never added up as if the rate were 1.
"""

import bisect
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from lejek.analytics.models import NONE_DATE, ExchangeRate

CENT = Decimal("0.01")


def reporting_currency() -> str:
    return str(settings.REPORTING_CURRENCY).upper()


class RateTable:
    """All rates in memory (a few per currency), for converting many amounts at once."""

    def __init__(self, rows: list[tuple[str, datetime.date, Decimal]]) -> None:
        by_currency: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for currency, valid_from, rate in rows:
            by_currency[currency].append((valid_from, rate))
        self.starts = {c: sorted(d for d, _ in v) for c, v in by_currency.items()}
        self.rates = {(c, d): r for c, v in by_currency.items() for d, r in v}
        self.reporting = reporting_currency()

    @classmethod
    def load(cls) -> "RateTable":
        return cls(list(ExchangeRate.objects.values_list("currency", "valid_from", "rate")))

    def rate_from(self, currency: str, day: datetime.date) -> datetime.date | None:
        """The start date of the rate in force on `day`, or None."""
        starts = self.starts.get(currency, [])
        index = bisect.bisect_right(starts, day)
        return starts[index - 1] if index else None

    def factor(self, currency: str, rate_from: datetime.date | None) -> Decimal | None:
        """The multiplier for amounts summarised under (currency, rate_from); None = no rate."""
        if currency == self.reporting:
            return Decimal(1)
        if rate_from is None or rate_from == NONE_DATE:
            return None
        return self.rates.get((currency, rate_from))

    def today_factor(self, currency: str, today: datetime.date) -> Decimal | None:
        return self.factor(currency, self.rate_from(currency, today))


def convert_cents(cents: int, factor: Decimal) -> Decimal:
    """Cents in some currency × rate → an exact Decimal amount in the reporting currency."""
    return Decimal(cents) * factor / 100


def to_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
