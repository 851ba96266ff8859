"""Forecast accuracy (SPEC metric definitions): 1 − |forecast − actual| ÷ actual."""

from decimal import Decimal
from fractions import Fraction


def accuracy(forecast: Decimal, actual: Decimal | Fraction) -> Fraction | None:
    """Exact; None (not available) when nothing was won, never 0 and never an error.

    It can be negative: a forecast three times the actual scores 1 − 2 = −1.
    """
    if not actual:
        return None
    return 1 - abs(Fraction(forecast) - Fraction(actual)) / Fraction(actual)
