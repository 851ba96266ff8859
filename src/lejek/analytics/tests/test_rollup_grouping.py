"""The rollup's GROUP BY leaves out key expressions that are constants (SQLite sorts on every
term it is given): grouped by the rest, the sums are those grouped by every key."""

import datetime

import pytest

from lejek.analytics import rebuild, rollups
from lejek.analytics.models import Rollup
from lejek.demo.generate import generate

pytestmark = pytest.mark.django_db


def test_constants_are_left_out_of_the_grouping():
    assert rollups._grouped(["'stage_time'", "'f'", "left_month", "0", "''", "{none}"]) == "3"
    assert rollups._grouped(["'lead'", "-1", "owner_id", "source"]) == "3, 4"
    assert rollups._grouped(["'a'", "0"]) == "1, 2"  # all constants: still grouped, no empty row
    case = "CASE WHEN status = 'won' THEN currency ELSE '' END"
    assert rollups._grouped([case, "'x'"]) == "1"
    sql, _ = rollups._union(rollups.STAGES, "", [], 1, None, [Rollup.Grain.FULL])
    assert sql.endswith("GROUP BY 3, 4, 5, 6, 7")  # month, pipeline, owner, source, stage


def test_the_rollup_grouped_by_what_varies_equals_the_rollup_grouped_by_every_key(monkeypatch):
    generate(deals=60, seed=3, now=datetime.datetime(2025, 6, 2, tzinfo=datetime.UTC))

    def rollup():
        rebuild.rebuild()
        names = [f.attname for f in Rollup._meta.concrete_fields if not f.primary_key]
        return sorted(Rollup.objects.values_list(*names))

    grouped = rollup()
    assert grouped
    every_key = lambda keys: ", ".join(str(i + 1) for i, _ in enumerate(keys))  # noqa: E731
    monkeypatch.setattr(rollups, "_grouped", every_key)
    assert rollup() == grouped
