"""Bulk inserts adapt each repeated value once, to what the adapter would write; the fast
path judges amounts without the field when they are plainly valid."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lejek.dataio import fast
from lejek.demo import bulk
from lejek.pipelines.models import Deal


def test_remembered_values_are_told_apart_by_type_and_content():
    calls = []
    adapt = bulk.remembered(lambda value: calls.append(value) or repr(value))
    values = [True, 1, 1.0, [], {}, [], True, ["a"], ["a"], None, "1", "1"]
    assert [adapt(v) for v in values] == [repr(v) for v in values]
    assert len(calls) == 8  # each distinct value once: True, [], ["a"] and "1" repeat


def test_remembered_by_value_adapts_each_moment_and_day_once():
    calls = []
    adapt = bulk.remembered(lambda value: calls.append(value) or str(value), by_value=True)
    noon = datetime.datetime(2025, 1, 2, 12, tzinfo=datetime.UTC)
    warsaw = noon.astimezone(zoneinfo.ZoneInfo("Europe/Warsaw"))  # the same moment
    day = datetime.date(2025, 1, 2)
    midnight = datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)
    values = [noon, None, day, warsaw, midnight, day, None, noon]
    assert [adapt(v) for v in values] == [str(noon), "None", str(day), str(noon),
                                          str(midnight), str(day), "None", str(noon)]  # fmt: skip
    assert calls == [noon, None, day, midnight]


AMOUNTS = [
    "0", "0.00", "-0.01", "12.5", "99999999999999.99", "-99999999999999.99",
    "100000000000000", "100000000000000.00", "1.005", "1E+2", "0E+20", "1E-2", "1E-3",
]  # fmt: skip


@pytest.mark.parametrize("raw", [*AMOUNTS, "NaN", "Infinity"])
def test_a_plain_amount_is_one_the_field_accepts(raw):
    value = Decimal(raw)
    try:
        Deal._meta.get_field("amount").clean(value, None)  # type: ignore[union-attr]
        accepted = True
    except ValidationError:
        accepted = False
    assert not fast._plain_amount(value) or accepted
    assert fast._valid(fast.Caches(), {"amount": value}) is accepted
