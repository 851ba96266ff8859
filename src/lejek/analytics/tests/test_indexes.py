"""The deal stage summaries are found by deal through the unique (deal, stage) index
alone: a second index on the deal would cost every row the rebuild inserts."""

import pytest
from django.db import connection

from lejek.analytics.models import DealStageSummary

pytestmark = pytest.mark.django_db


def test_the_deal_leads_the_unique_index_and_has_none_of_its_own():
    table = DealStageSummary._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    keyed = [c["columns"] for c in constraints.values() if (c["index"] or c["unique"])]
    assert ["deal_id", "stage_id"] in keyed
    assert ["deal_id"] not in keyed


def test_a_lookup_by_deal_uses_an_index_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    table = DealStageSummary._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE deal_id = 1")  # noqa: S608
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING" in plan and "INDEX" in plan, plan
