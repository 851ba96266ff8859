"""Every column that other tables and lookups find deals by leads an index, and none has a
second index of its own beside the composite that serves it (each index costs every
insert and move: a million-deal import spends most of its deal inserts on them)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

SERVED = {
    "pipelines_deal": ["owner_id", "created_at", "pipeline_id", "stage_id"],
    "pipelines_statuschange": ["deal_id"],
}


@pytest.mark.parametrize("table", sorted(SERVED))
def test_each_column_leads_one_composite_index_and_has_none_of_its_own(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexes = [c["columns"] for c in constraints.values() if c["index"] and not c["primary_key"]]
    for column in SERVED[table]:
        leading = [columns for columns in indexes if columns and columns[0] == column]
        assert any(len(columns) > 1 for columns in leading), (table, column, indexes)
        assert [column] not in leading, (table, column)


def test_a_lookup_by_a_served_column_uses_an_index_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    with connection.cursor() as cursor:
        for sql in (
            "SELECT id FROM pipelines_deal WHERE owner_id = 1",
            "SELECT id FROM pipelines_deal WHERE stage_id = 1",
            "SELECT id FROM pipelines_deal WHERE pipeline_id = 1",
            "SELECT id FROM pipelines_statuschange WHERE deal_id = 1",
        ):
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING" in plan and "INDEX" in plan, (sql, plan)
