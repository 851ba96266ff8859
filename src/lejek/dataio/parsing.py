"""Reading cell values as other CRMs and spreadsheets write them. Pure functions.

Dates: ISO (with or without time), DD.MM.YYYY, DD-MM-YYYY, and slashed dates,
which are read day-first unless the column shows they are month-first (some
value has a second part above 12 and none a first part above 12); the order is
decided once per column by `date_order`.

Amounts: thousands separators (space, no-break space, apostrophe, dot or
comma), decimal comma or point, currency codes and signs before or after the
number ("1 234,50 PLN", "$1,234.50", "1.234,50 €", "1 234,50 руб."). When a
single separator followed by three digits could be either, the column decides
(`number_style`); with no evidence it is read as a thousands separator.

Cells that look like formulas ("=HYPERLINK(...)") are never evaluated: they are
plain text for text fields and rejected for numbers and dates.
"""

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from lejek.core.money import CURRENCIES

DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"
COMMA = "comma"  # decimal comma: 1 234,50
POINT = "point"  # decimal point: 1,234.50


class ParseError(ValueError):
    """A value that cannot be read as the field's type; the message is for the user."""


CURRENCY_SIGNS = {
    "$": "USD",
    "us$": "USD",
    "€": "EUR",
    "£": "GBP",
    "zł": "PLN",
    "zl": "PLN",
    "руб.": "RUB",
    "руб": "RUB",
    "р.": "RUB",
    "₽": "RUB",
    "₴": "UAH",
    "грн.": "UAH",
    "грн": "UAH",
    "kč": "CZK",
    "¥": "JPY",
    "₹": "INR",
    "fr.": "CHF",
}
SIGNS_LONGEST_FIRST = sorted(CURRENCY_SIGNS, key=len, reverse=True)
FORMULA_PREFIXES = ("=", "+", "@")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
CODE_RE = re.compile(r"^[A-Za-z]{3}$")
# Digits, separators, spaces, signs and brackets only: no currency sign or code can be in it
# (every sign and code has a letter or a symbol), so `_split_currency` has nothing to find.
NO_CURRENCY = re.compile(r"[\d\s.,'()+\-]*")
DIGITS_RE = re.compile(r"\d[\d.,]*")


def text(value: Any) -> str:
    """Any cell as text, stripped; formulas stay as the text that was written."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_formula(value: str) -> bool:
    return value.startswith("=") or (value.startswith(("+", "@")) and not _numeric(value[1:]))


def _numeric(value: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,]+", value))


def is_blank(value: Any) -> bool:
    return text(value) == ""


# --- numbers and money ------------------------------------------------------------------


def _split_currency(raw: str) -> tuple[str, str | None]:
    """The number part and the currency (ISO code) written around it."""
    value = raw.strip()
    if NO_CURRENCY.fullmatch(value):
        return value, None
    lowered = value.lower()
    for sign in SIGNS_LONGEST_FIRST:
        if lowered.endswith(sign):
            return value[: len(value) - len(sign)].strip(), CURRENCY_SIGNS[sign]
        if lowered.startswith(sign):
            return value[len(sign) :].strip(), CURRENCY_SIGNS[sign]
    parts = value.split()
    if len(parts) >= 2 and _code(parts[-1]):
        return " ".join(parts[:-1]), parts[-1].upper()
    if len(parts) >= 2 and _code(parts[0]):
        return " ".join(parts[1:]), parts[0].upper()
    match = re.fullmatch(r"([A-Za-z]{3})([-\d(].*)", value) or re.fullmatch(
        r"(.*\d\)?)([A-Za-z]{3})", value
    )
    if match:
        first, second = match.groups()
        if _code(first):
            return second, first.upper()
        if _code(second):
            return first, second.upper()
    return value, None


def _code(value: str) -> bool:
    """A currency code we know: "12abc" is a typo, not twelve ABC."""
    return bool(CODE_RE.match(value)) and value.upper() in CURRENCIES


def _style_of(number: str) -> str | None:
    """The decimal separator a number shows beyond doubt, if any."""
    digits = SPACES.sub("", number).lstrip("-+(").rstrip(")")
    if "," in digits and "." in digits:
        return COMMA if digits.rfind(",") > digits.rfind(".") else POINT
    for sep, style in ((",", COMMA), (".", POINT)):
        if digits.count(sep) == 1:
            tail = digits.rsplit(sep, 1)[1]
            if len(tail) != 3:
                return style
        if digits.count(sep) > 1:
            return POINT if sep == "," else COMMA
    return None


def number_style(values: Iterable[Any]) -> str | None:
    """The decimal separator a column uses, judged from its unambiguous values."""
    seen = set()
    for value in values:
        if isinstance(value, int | float | Decimal) or is_blank(value):
            continue
        style = _style_of(_split_currency(text(value))[0])
        if style:
            seen.add(style)
    return seen.pop() if len(seen) == 1 else None


def parse_decimal(value: Any, style: str | None = None) -> tuple[Decimal, str | None]:
    """A number and the currency written with it; raises ParseError."""
    if isinstance(value, bool):
        raise ParseError("Not a number.")
    if isinstance(value, int | Decimal):
        return Decimal(value), None
    if isinstance(value, float):
        return Decimal(repr(value)), None
    raw = text(value)
    if is_formula(raw):
        raise ParseError(f"'{raw}' is a formula, not a number; formulas are never evaluated.")
    number, currency = _split_currency(raw)
    negative = False
    number = SPACES.sub("", number)
    if number.startswith("(") and number.endswith(")"):
        negative, number = True, number[1:-1]
    if number.startswith("-"):
        negative, number = not negative, number[1:]
    elif number.startswith("+"):
        number = number[1:]
    if not DIGITS_RE.fullmatch(number or "x"):
        raise ParseError(f"'{raw}' is not a number.")
    decimal_sep = _decimal_separator(number, style)
    thousands = {",", "."} - {decimal_sep}
    for sep in thousands:
        number = number.replace(sep, "")
    if decimal_sep:
        if number.count(decimal_sep) > 1:
            raise ParseError(f"'{raw}' is not a number.")
        number = number.replace(decimal_sep, ".")
    try:
        result = Decimal(number)
    except InvalidOperation as exc:
        raise ParseError(f"'{raw}' is not a number.") from exc
    return (-result if negative else result), currency


def _decimal_separator(number: str, style: str | None) -> str | None:
    if "," in number and "." in number:
        return "," if number.rfind(",") > number.rfind(".") else "."
    for sep in (",", "."):
        if sep not in number:
            continue
        if number.count(sep) > 1:
            return None  # 1.234.567 or 1,234,567: thousands only
        tail = number.rsplit(sep, 1)[1]
        if len(tail) == 3 and style != (COMMA if sep == "," else POINT):
            return None  # 1,234 / 1.234: a thousands separator unless the column says not
        return sep
    return None


def parse_int(value: Any, style: str | None = None) -> int:
    number, _ = parse_decimal(value, style)
    if number != number.to_integral_value():
        raise ParseError(f"'{text(value)}' is not a whole number.")
    return int(number)


TRUE = {"1", "true", "yes", "y", "t", "tak", "да", "x", "done", "✓"}
FALSE = {"0", "false", "no", "n", "f", "nie", "нет", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ParseError(f"'{text(value)}' is not yes or no.")


# --- dates and times ----------------------------------------------------------------------

DATE_TIME_RE = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})"
    r"(?:[ T,]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|UTC)?$"
)


def _slashed_parts(value: Any) -> tuple[int, int] | None:
    if isinstance(value, datetime.date):
        return None
    match = DATE_TIME_RE.match(text(value))
    if not match or match["sep"] != "/" or len(match["a"]) == 4:
        return None
    return int(match["a"]), int(match["b"])


def date_order(values: Iterable[Any]) -> str:
    """Day-first unless some slashed date can only be month-first (and none only day-first)."""
    day_first = month_first = False
    for value in values:
        parts = _slashed_parts(value)
        if parts is None:
            continue
        first, second = parts
        day_first |= first > 12
        month_first |= second > 12
    return MONTH_FIRST if month_first and not day_first else DAY_FIRST


def parse_datetime(value: Any, order: str = DAY_FIRST) -> datetime.datetime:
    """An aware datetime; times without a zone are in the site's time zone."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        moment = _parse_text(text(value), order)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def parse_date(value: Any, order: str = DAY_FIRST) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _parse_text(text(value), order).date()


def _parse_text(raw: str, order: str) -> datetime.datetime:
    if is_formula(raw):
        raise ParseError(f"'{raw}' is a formula, not a date; formulas are never evaluated.")
    match = DATE_TIME_RE.match(raw)
    if not match:
        raise ParseError(f"'{raw}' is not a date.")
    a, b, c = match["a"], match["b"], match["c"]
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) in (2, 4):
        year = int(c) + (2000 if len(c) == 2 else 0)
        if match["sep"] == "/" and order == MONTH_FIRST:
            month, day = int(a), int(b)
        else:
            day, month = int(a), int(b)
    else:
        raise ParseError(f"'{raw}' is not a date.")
    hour, minute, second = int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ParseError(f"'{raw}' has an hour that is not on a 12-hour clock.")
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ParseError(f"'{raw}' is not a valid date.") from exc
    zone = match["tz"]
    if zone in ("Z", "UTC"):
        moment = moment.replace(tzinfo=datetime.UTC)
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = moment.replace(tzinfo=datetime.timezone(sign * offset))
    return moment
