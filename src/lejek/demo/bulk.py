"""Fast inserts of plain rows for the demo loader, on SQLite and PostgreSQL.

Building a model instance per row costs more than the insert itself (about
0.3 ms a row with `bulk_create`), so demo rows are plain dicts keyed by
attname. They become parameter tuples sent as multi-row INSERTs (SQLite) or
streamed with COPY (PostgreSQL, where `executemany` is several times slower).
Values are adapted per column type the way the ORM would; columns missing
from a row get the field's default.
"""

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from django.db import connection, models

Row = dict[str, Any]
Adapter = Callable[[Any], Any]

# Rows per INSERT on SQLite: a statement run once per row (`executemany`) costs about three
# times as much per row as one statement with many rows, at a million deals (its setup,
# reset and the AUTOINCREMENT counter's update come once per statement). SQLite allows
# 32,766 parameters a statement.
ROWS_PER_INSERT = 100
MAX_PARAMETERS = 32_766


def highest_id(model: type[models.Model]) -> int:
    """The highest id the table has used (on SQLite, also ids of rows since deleted)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses the ids of deleted rows; neither do we.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            highest = max(highest, found[0] if found else 0)
    return highest


def reserve_ids(model: type[models.Model], count: int, after: int | None = None) -> list[int]:
    """`count` primary keys for rows inserted with explicit ids.

    PostgreSQL draws them from the table's sequence, so they are never handed out
    twice. Elsewhere they are the ids above `after` (or above the highest used):
    a claim, not a lock, so `ids_free` must confirm it inside the transaction
    that inserts them (on SQLite that transaction holds the write lock).
    """
    if count <= 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
    start = (highest_id(model) if after is None else after) + 1
    return list(range(start, start + count))


def ids_free(model: type[models.Model], ids: list[int]) -> bool:
    """Are reserved ids still unused? Always, for ids drawn from a PostgreSQL sequence."""
    if not ids or connection.vendor == "postgresql":
        return True
    return highest_id(model) < ids[0]


@dataclass
class Prepared:
    """Rows turned into driver values for one table, ready to insert (and to pickle)."""

    table: str
    columns: list[str]
    values: Sequence[Sequence[Any]]


def prepare(model: type[models.Model], rows: list[Row]) -> Prepared:
    """Driver values for `rows` (dicts by attname); needs no database connection."""
    plan = _Plan(model, with_id=bool(rows) and "id" in rows[0])
    return Prepared(model._meta.db_table, plan.columns, [plan.values(row) for row in rows])


def insert_prepared(prepared: Prepared) -> int:
    """INSERT (SQLite: many rows a statement) or COPY (PostgreSQL) prepared rows; returns the
    count."""
    rows = prepared.values
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(prepared.table)
    columns = ", ".join(quote(column) for column in prepared.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        insert_values(cursor, table, columns, rows)
    return len(rows)


def insert_values(cursor: Any, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows of driver values into `table` (quoted) `columns` (quoted, comma-joined)
    on SQLite, many rows per statement (see ROWS_PER_INSERT). The statements go to the
    driver's cursor as written (with its own placeholders): Django's rewriting of each
    statement's thousand placeholders would cost a quarter of the insert."""
    if not rows:
        return
    width = len(rows[0])
    per = max(1, min(ROWS_PER_INSERT, MAX_PARAMETERS // width))
    one = "(" + ", ".join(["?"] * width) + ")"

    def sql(count: int) -> str:
        return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * count)  # noqa: S608

    full = sql(per)
    whole = len(rows) - len(rows) % per
    execute = sqlite3.Cursor.execute
    driver = cursor.cursor  # Django's wrapper of a sqlite3 cursor
    with connection.wrap_database_errors:
        for start in range(0, whole, per):
            execute(driver, full, list(chain.from_iterable(rows[start : start + per])))
        if whole < len(rows):
            execute(driver, sql(len(rows) - whole), list(chain.from_iterable(rows[whole:])))


def analyze(tables: list[type[models.Model]]) -> None:
    """Refresh the query planner's statistics for tables that just grew in bulk.

    On PostgreSQL, until autovacuum gets to it, the planner still believes a
    freshly loaded table is nearly empty: the deal list took 460 ms instead of
    2 ms right after loading 100,000 deals. SQLite plans well without statistics
    (and a full ANALYZE there costs about a second per 100,000 deals), so it is
    left alone.
    """
    if connection.vendor != "postgresql" or not tables:
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")


def insert_rows(model: type[models.Model], rows: list[Row]) -> int:
    """Insert `rows` (dicts by attname) into `model`'s table; ids are kept when given."""
    return insert_prepared(prepare(model, rows))


class _Plan:
    """The columns to insert, their defaults, and the adapters of the few that need one."""

    def __init__(self, model: type[models.Model], with_id: bool) -> None:
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.names = [f.attname for f in fields]
        self.columns = [str(f.column) for f in fields]
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.adapters = [
            (i, remembered(a, by_value=isinstance(f, models.DateField)))
            for i, f in enumerate(fields)
            if (a := _adapter(f)) is not None
        ]

    def values(self, row: Row) -> list[Any]:
        # map() over row.get keeps the per-value work in C; only adapted columns cost Python.
        values = list(map(row.get, self.names, self.defaults))
        for i, adapt in self.adapters:
            values[i] = adapt(values[i])
        return values


MEMO_LIMIT = 100_000  # distinct values remembered per column before starting afresh


def remembered(adapt: Adapter, *, by_value: bool = False) -> Adapter:
    """`adapt`, run once per distinct value (and type: True is not 1 in JSON); lists and
    dicts by their repr, which for JSON's plain types says what the dump will be. Most
    adapted values repeat (the days of a file, an empty list of tags), and adapting each
    (a time-zone conversion, a JSON dump) costs about as much as inserting it.

    `by_value`: the values are dates, datetimes or None, each its own key (a date never
    equals a datetime). Looking them up as they are is six times as fast as by type and
    value (0.07 against 0.42 s for a million moments)."""
    seen: dict[Any, Any] = {}
    if by_value:

        def adapted_as_is(value: Any) -> Any:
            found = seen.get(value, _UNSEEN)
            if found is _UNSEEN:
                if len(seen) >= MEMO_LIMIT:
                    seen.clear()
                found = seen[value] = adapt(value)
            return found

        return adapted_as_is

    def adapted(value: Any) -> Any:
        kind = type(value)
        key = (kind, repr(value) if kind is list or kind is dict else value)
        try:
            return seen[key]
        except KeyError:
            if len(seen) >= MEMO_LIMIT:
                seen.clear()
            found = seen[key] = adapt(value)
            return found
        except TypeError:  # another unhashable value: adapted every time
            return adapt(value)

    return adapted


_UNSEEN = object()


def from_db(field: models.Field, table: str) -> Adapter | None:
    """How a value of `table`'s column `field`, read by plain SQL, becomes the value the ORM
    gives (the backend's converters, then the field's, as the ORM runs them); None where
    there are none and the driver's value is the ORM's."""
    col = field.get_col(table)
    converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
    if not converters:
        return None

    def converted(value: Any) -> Any:
        for convert in converters:
            value = convert(value, col, connection)
        return value

    return converted


def _adapter(field: models.Field) -> Adapter | None:
    """How a Python value becomes a driver value for this column; None when passed as is.

    psycopg takes aware datetimes, dates and Decimals as they are; COPY wants JSON
    as text. sqlite3 takes Decimals and dates through the adapters Django registers,
    and datetimes are stored as naive text in the connection's zone, exactly as
    `adapt_datetimefield_value` does, without its per-value settings lookups (which
    cost more than the insert). Naive datetimes are refused everywhere.
    """
    postgres = connection.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        if postgres:
            encoder = field.encoder
            return lambda value: None if value is None else json.dumps(value, cls=encoder)
        return _prepared(field)
    if isinstance(field, models.DateTimeField):
        if postgres:
            return _aware
        if connection.vendor == "sqlite":
            return _naive_text(connection.timezone)
        return _prepared(field)
    if isinstance(field, models.DateField) and not postgres:
        return _prepared(field)
    return None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("Demo datetimes must be timezone-aware.")
    return value


def _naive_text(zone: Any) -> Adapter:
    def adapt(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is not zone:
            value = _aware(value).astimezone(zone)  # type: ignore[union-attr]
        return str(value.replace(tzinfo=None))

    return adapt


def _prepared(field: models.Field) -> Adapter:
    def adapt(value: Any) -> Any:
        return None if value is None else field.get_db_prep_save(value, connection)

    return adapt
