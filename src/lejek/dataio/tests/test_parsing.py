import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lejek.dataio import parsing as p

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,50 PLN", (Decimal("1234.50"), "PLN")),
        ("$1,234.50", (Decimal("1234.50"), "USD")),
        ("1.234,50 €", (Decimal("1234.50"), "EUR")),
        ("1 234,50 руб.", (Decimal("1234.50"), "RUB")),
        ("1\u00a0234\u00a0567,5 zł", (Decimal("1234567.5"), "PLN")),
        ("EUR 99", (Decimal("99"), "EUR")),
        ("USD1,000", (Decimal("1000"), "USD")),
        ("1,234,567.89", (Decimal("1234567.89"), None)),
        ("1.234.567", (Decimal("1234567"), None)),
        ("12,5", (Decimal("12.5"), None)),
        ("-3 000", (Decimal("-3000"), None)),
        ("(1 234,50)", (Decimal("-1234.50"), None)),
        ("1'234.50 CHF", (Decimal("1234.50"), "CHF")),
        (1500, (Decimal(1500), None)),
        (12.25, (Decimal("12.25"), None)),
    ],
)
def test_amounts(raw, expected):
    assert p.parse_decimal(raw) == expected


def test_ambiguous_three_digit_groups_follow_the_column():
    assert p.parse_decimal("1,234") == (Decimal(1234), None)
    assert p.number_style(["12,5", "1,234", "7"]) == p.COMMA
    assert p.parse_decimal("1,234", p.COMMA) == (Decimal("1.234"), None)
    assert p.number_style(["1,234.50", "1.234"]) == p.POINT
    assert p.parse_decimal("1.234", p.POINT) == (Decimal("1.234"), None)


@pytest.mark.parametrize("raw", ["abc", "=SUM(A1:A3)", "1,2,3.4.5", "12 PLN 5", ""])
def test_bad_amounts(raw):
    with pytest.raises(p.ParseError):
        p.parse_decimal(raw)


def test_dates_in_several_formats():
    assert p.parse_date("2024-03-05") == datetime.date(2024, 3, 5)
    assert p.parse_date("05.03.2024") == datetime.date(2024, 3, 5)
    assert p.parse_date("05/03/2024") == datetime.date(2024, 3, 5)
    assert p.parse_date("05/03/2024", p.MONTH_FIRST) == datetime.date(2024, 5, 3)
    assert p.parse_date("5-3-24") == datetime.date(2024, 3, 5)
    assert p.parse_datetime("2024-03-05 14:30") == datetime.datetime(
        2024, 3, 5, 14, 30, tzinfo=WARSAW
    )
    assert p.parse_datetime("2024-03-05T14:30:00Z") == datetime.datetime(
        2024, 3, 5, 14, 30, tzinfo=datetime.UTC
    )
    assert p.parse_datetime("03/25/2024 2:05 PM", p.MONTH_FIRST) == datetime.datetime(
        2024, 3, 25, 14, 5, tzinfo=WARSAW
    )
    assert p.parse_datetime(datetime.date(2024, 1, 2)).date() == datetime.date(2024, 1, 2)


def test_date_order_is_decided_per_column():
    assert p.date_order(["03/25/2024", "04/01/2024", "2024-01-01"]) == p.MONTH_FIRST
    assert p.date_order(["25/03/2024", "04/01/2024"]) == p.DAY_FIRST
    assert p.date_order(["04/01/2024"]) == p.DAY_FIRST  # ambiguous: day first
    assert p.date_order(["25/03/2024", "03/25/2024"]) == p.DAY_FIRST  # mixed: day first


@pytest.mark.parametrize("raw", ["2024-02-30", "31.13.2024", "tomorrow", "=TODAY()", "13/13/2024"])
def test_bad_dates(raw):
    with pytest.raises(p.ParseError):
        p.parse_date(raw)


def test_formula_cells_are_text():
    assert p.text('=HYPERLINK("http://x","x")') == '=HYPERLINK("http://x","x")'
    assert p.is_formula("=1+1") and p.is_formula("@SUM(A1)") and not p.is_formula("+48 600 100 200")
    assert p.parse_bool("tak") is True and p.parse_bool("нет") is False


SPLIT_CASES = [
    "1 234,50", "1,234.00", " 12 ", "(1 234,50)", "-3 000", "+5", "1'234.50", "1\u00a0234",
    "12 zł", "$1,234.50", "1.234,50 €", "1 234,50 руб.", "PLN 12", "12USD", "12abc", "",
    "1.5e3", "12 р.", "fr. 5", "1,2,3", "12 (estimate)",
]  # fmt: skip


def test_plain_numbers_skip_the_search_for_a_currency_with_the_same_result(monkeypatch):
    fast = [p._split_currency(raw) for raw in SPLIT_CASES]
    monkeypatch.setattr(p, "NO_CURRENCY", p.re.compile(r"(?!)"))  # never matches
    assert fast == [p._split_currency(raw) for raw in SPLIT_CASES]
