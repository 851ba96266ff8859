"""Customer metrics as plain functions of plain data (no database): renewal rate and CLV.

SPEC: CLV = mean revenue per customer account per year × mean customer lifetime in years
(seed 003). A customer's lifetime runs from `customer_since` to its churn (the day its last
renewal was lost with no contract left running) or to today. Revenue per year divides the
account's won revenue by its lifetime, counting at least one year so a customer won last
week does not look like one paying fifty times its contract.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

DAYS_PER_YEAR = Decimal("365.25")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RenewalRate:
    renewed: int
    churned: int

    @property
    def decided(self) -> int:
        return self.renewed + self.churned

    @property
    def rate(self) -> Decimal | None:
        """renewed ÷ (renewed + churned) × 100; None when nothing was decided."""
        if not self.decided:
            return None
        return (Decimal(self.renewed) * 100 / self.decided).quantize(CENT)


@dataclass(frozen=True)
class CustomerFigures:
    """The CLV inputs of one customer account."""

    organization_id: int
    customer_since: datetime.date
    revenue: Decimal
    churned_on: datetime.date | None = None

    def lifetime_years(self, today: datetime.date) -> Decimal:
        end = self.churned_on or today
        days = max((end - self.customer_since).days, 0)
        return Decimal(days) / DAYS_PER_YEAR

    def revenue_per_year(self, today: datetime.date) -> Decimal:
        return self.revenue / max(self.lifetime_years(today), Decimal(1))


@dataclass(frozen=True)
class Clv:
    customers: int
    mean_revenue_per_year: Decimal | None
    mean_lifetime_years: Decimal | None
    value: Decimal | None


def clv(figures: list[CustomerFigures], today: datetime.date) -> Clv:
    if not figures:
        return Clv(0, None, None, None)
    count = Decimal(len(figures))
    per_year = sum((f.revenue_per_year(today) for f in figures), Decimal(0)) / count
    lifetime = sum((f.lifetime_years(today) for f in figures), Decimal(0)) / count
    return Clv(
        len(figures),
        per_year.quantize(CENT),
        lifetime.quantize(CENT),
        (per_year * lifetime).quantize(CENT),
    )
