"""Inserting summary rows fast: plain dicts, `executemany` on SQLite, COPY on PostgreSQL.

Building a model instance per row costs several times the insert itself, and a
rebuild writes millions of rows, so summaries travel as dicts keyed by column.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models

Row = dict[str, Any]
BATCH = 5_000


def _sqlite_value(value: Any) -> Any:
    """sqlite3 stores datetimes as naive UTC text (as Django does), dates as ISO text."""
    if isinstance(value, datetime.datetime):
        return str(value.astimezone(datetime.UTC).replace(tzinfo=None))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert(model: type[models.Model], rows: list[Row]) -> int:
    """Insert `rows` (dicts keyed by attname, every column present) into `model`'s table."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    names = [f.attname for f in fields]
    columns = [str(f.column) for f in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[n] for n in names])
            return len(rows)
        adapt: Callable[[Any], Any] = _sqlite_value
        values = [[adapt(row[n]) for n in names] for row in rows]
        placeholders = ", ".join(["%s"] * len(names))
        # Table and column names come from the model, never from input.
        sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(rows)
