"""Template filters for every page: money and numbers in the reader's locale, record links."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats

from lejek.web import records, timeline

register = template.Library()

DASH = "—"


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """`12 500 PLN` in Polish, `12,500 PLN` in English; cents only when there are some.

    The currency code always follows the amount: the interface never adds or compares
    amounts in different currencies without saying which is which.
    """
    if amount is None or amount == "":
        return DASH
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return DASH
    places = 0 if value == value.to_integral_value() else 2
    text = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    return f"{text}\xa0{currency}" if currency else text


@register.filter
def number(value: Any) -> str:
    """A whole number with the locale's thousands separator."""
    if value is None or value == "":
        return DASH
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


@register.filter
def kind_label(kind: str) -> str:
    """An activity kind (`email`) as the reader's language names it."""
    return str(timeline.KIND_LABELS.get(kind, kind))


@register.simple_tag
def record_url(kind: str, pk: Any) -> str:
    """The page of a deal, lead, person or organization ("" while that page does not exist)."""
    return records.url(kind, pk) or ""
