"""Summary rows reach SQLite as Django would store them: moments as naive UTC text,
dates as ISO text, decimals as text; only those columns are adapted."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import models

from lejek.analytics import inserts
from lejek.analytics.tests.helpers import recorded

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def test_moments_dates_and_decimals_are_adapted_and_the_rest_left_alone() -> None:
    fields = [
        models.BigIntegerField(name="n"),
        models.CharField(name="text"),
        models.DateTimeField(name="at"),
        models.DateField(name="day"),
        models.DecimalField(name="amount", max_digits=16, decimal_places=2),
    ]
    for field in fields:
        field.set_attributes_from_name(field.name)
    rows = [
        {
            "n": 7, "text": "2025-01-01", "day": datetime.date(2025, 3, 1),
            "at": datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC),
            "amount": Decimal("12.50"),
        },
        {
            "n": None, "text": None, "day": None, "amount": None,
            "at": datetime.datetime(2025, 3, 1, 0, 30, 0, 250, tzinfo=WARSAW),  # 23:30 UTC
        },
    ]  # fmt: skip
    assert inserts.sqlite_rows(fields, rows) == [
        [7, "2025-01-01", "2025-03-01 09:30:00", "2025-03-01", "12.50"],
        [None, None, "2025-02-28 23:30:00.000250", None, None],
    ]


def test_a_repeated_moment_or_day_is_adapted_once_and_decimals_each_as_written(
    monkeypatch,
) -> None:
    fields = [
        models.DateTimeField(name="at"),
        models.DateField(name="day"),
        models.DecimalField(name="amount", max_digits=16, decimal_places=2),
    ]
    for field in fields:
        field.set_attributes_from_name(field.name)
    noon = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)
    same_instant = noon.astimezone(WARSAW)  # equal to noon: written the same
    rows = [
        {"at": noon, "day": datetime.date(2025, 3, 1), "amount": Decimal("1.0")},
        {"at": same_instant, "day": datetime.date(2025, 3, 1), "amount": Decimal("1.00")},
        {"at": None, "day": None, "amount": Decimal("1")},
    ]
    adapted = recorded(monkeypatch, inserts, "_sqlite_value")
    assert inserts.sqlite_rows(fields, rows) == [
        ["2025-03-01 12:00:00", "2025-03-01", "1.0"],
        ["2025-03-01 12:00:00", "2025-03-01", "1.00"],
        [None, None, "1"],
    ]
    assert len(adapted) == 1 + 1 + 3  # one moment, one day, every amount
