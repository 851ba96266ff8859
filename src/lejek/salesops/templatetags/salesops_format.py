"""Display filters for ratios and numbers that may be exact fractions or missing."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django import template

register = template.Library()
DASH = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@register.filter
def pct(value: Any) -> str:
    """A ratio as a percentage with one decimal place (SPEC), or a dash when not available."""
    number = _decimal(value)
    if number is None:
        return DASH
    return f"{(number * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


@register.filter
def points(value: Any) -> str:
    """A difference of ratios in percentage points, signed."""
    number = _decimal(value)
    if number is None:
        return DASH
    shown = (number * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{'+' if shown > 0 else ''}{shown} pp"


@register.filter
def num(value: Any, places: int = 2) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    quantum = Decimal(1).scaleb(-int(places))
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,}"


@register.filter
def signed(value: Any, places: int = 2) -> str:
    number = _decimal(value)
    if number is None:
        return DASH
    text = num(number, places)
    return f"+{text}" if number > 0 else text


RATIOS = ("win_rate", "attainment", "forecast_accuracy", "selling_time")


@register.filter
def metric(value: Any, key: str) -> str:
    """A scorecard metric in its own unit: ratios as %, counts whole, the rest 2 places."""
    if key in RATIOS:
        return pct(value)
    if key == "meetings_booked":
        return num(value, 0)
    if key in ("average_sales_cycle_days", "lead_response_hours"):
        return num(value, 1)
    return num(value)


@register.filter
def metric_change(value: Any, key: str) -> str:
    if key in RATIOS:
        return points(value)
    if key == "meetings_booked":
        return signed(value, 0)
    if key in ("average_sales_cycle_days", "lead_response_hours"):
        return signed(value, 1)
    return signed(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
