"""Export of one whole table to CSV or XLSX (for `lejek export TABLE`), streamed.

Rows are read in chunks by primary key and written as they come, so memory stays
flat on any table size (XLSX through openpyxl's write-only mode, which keeps rows
in a temporary file; a table over one sheet's 1,048,575 rows goes on to more
sheets). Cells are made formula-safe as in every other export (`exports.safe_cell`).
Columns are the table's database columns; times are UTC ISO 8601 in CSV.

The file is written under a working name beside the target (see `working`) and takes
the target's name only when complete, so a stopped export never leaves a file that looks
whole; working files of an export whose process is gone (killed) are removed by the next
export to the same name.
"""

import base64
import csv
import datetime
import itertools
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, models
from django.db.models import TextField
from django.db.models.functions import Cast

from lejek.core import forked
from lejek.dataio import exports, tables
from lejek.dataio.working import remove_abandoned, working
from lejek.demo import bulk

Progress = Callable[[int, int], None]
SHEET_ROWS = 1_048_575  # an XLSX sheet's rows after its header
CHUNK = 5_000
FORMATS = exports.FORMATS
SPREAD_FROM = 200_000  # rows from which a CSV export is written in parts by forked children
PARTS_PER_CPU = 4  # smaller parts even out the children's work and move the progress bar


def _cell(field: models.Field) -> Callable[[Any], Any] | None:
    """A database value → the plain value written (None: `safe_cell` takes it as is)."""
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(field, models.BinaryField):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode()
    if isinstance(field, models.UUIDField | models.GenericIPAddressField):
        return lambda v: None if v is None else str(v)
    return None


def rows(model: tables.Model, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """The table's rows by primary key as safe cells, in chunks (keyset on the pk)."""
    fields = tables.columns(model)
    names = [f.attname for f in fields]
    cells = [(i, c) for i, f in enumerate(fields) if (c := _cell(f)) is not None]
    pk = model._meta.pk
    assert pk is not None
    pk_index = names.index(pk.attname)
    query = model._base_manager.order_by("pk").values_list(*names)
    safe = exports.safe_cell
    last = None
    while True:
        page = list((query.filter(pk__gt=last) if last is not None else query)[:chunk])
        if not page:
            return
        last = page[-1][pk_index]
        for values in page:
            row = list(values)
            for i, convert in cells:
                row[i] = convert(row[i])
            yield [safe(v) for v in row]


INTEGERS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}  # fmt: skip
TEXTS = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}


def _kind(field: models.Field) -> str:
    """The field's type, or for a relation its target's (a foreign key holds the target's pk)."""
    while field.is_relation and field.target_field is not None:  # type: ignore[attr-defined]
        field = field.target_field  # type: ignore[attr-defined]
    return str(field.get_internal_type())


def _safe_text(value: Any) -> Any:
    """`exports.safe_cell` for a text column, whose values are text or None."""
    if type(value) is not str:
        return exports.safe_cell(value)
    return "'" + value if value.startswith(exports.FORMULA_PREFIXES) else value


def _csv_cell(model: tables.Model, field: models.Field) -> Callable[[Any], Any] | None:
    """The driver's value of `field` → the CSV cell `rows` + `_csv_value` would give it;
    None where the value already is that cell (integers; None is written as an empty
    cell either way)."""
    kind = _kind(field)
    if kind in INTEGERS:
        return None
    if kind in TEXTS:
        return _safe_text
    orm_value = bulk.from_db(field, model._meta.db_table)
    cell = _cell(field)
    safe = exports.safe_cell

    def slow(value: Any) -> Any:
        if orm_value is not None:
            value = orm_value(value)
        return _csv_value(safe(cell(value) if cell else value))

    remembered = bulk.remembered(slow)  # converted once per distinct raw value

    utc = kind == "DateTimeField" and connection.vendor == "sqlite" and _stored_in_utc()

    def moment(value: Any) -> Any:
        # SQLite keeps a moment as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]': in ISO
        # 8601 in UTC (what `_csv_value` writes) it is the same text with 'T' and '+00:00'.
        if type(value) is str and len(value) in (19, 26) and value[10] == " ":
            return value.replace(" ", "T", 1) + "+00:00"
        return remembered(value)

    return moment if utc else remembered


def _stored_in_utc() -> bool:
    return bool(settings.USE_TZ) and str(connection.timezone_name) == "UTC"


def csv_pages(
    model: tables.Model, chunk: int = CHUNK, after: Any = None, upto: Any = None
) -> Iterator[list[list[Any]]]:
    """The table's rows by primary key as CSV cells, a page at a time, from the driver's
    values: Django's converters run once per distinct value of a column instead of once
    per cell (a million deals hold 27 million), SQLite's stored moments become ISO text
    without being parsed, and integers pass as they are (the writer writes None as an
    empty cell). Written, equal to `rows` + `_csv_value`. `after` and `upto` bound the
    primary keys (above `after`, at most `upto`)."""
    fields = tables.columns(model)
    names = [f.attname for f in fields]
    cells = [(i, c) for i, f in enumerate(fields) if (c := _csv_cell(model, f)) is not None]
    pk = model._meta.pk
    assert pk is not None
    pk_index = names.index(pk.attname)
    query = model._base_manager.order_by("pk")
    if upto is not None:
        query = query.filter(pk__lte=upto)
    if connection.vendor == "sqlite" and _stored_in_utc():
        # Read stored moments as the text they are: the driver would parse each one.
        texts = {
            f"_text_{f.attname}": Cast(f.attname, TextField())
            for f in fields
            if isinstance(f, models.DateTimeField)
        }
        query = query.annotate(**texts)
        names = [f"_text_{n}" if f"_text_{n}" in texts else n for n in names]
    query = query.values_list(*names)
    last = after
    while True:
        page_query = (query.filter(pk__gt=last) if last is not None else query)[:chunk]
        sql, params = page_query.query.sql_with_params()
        with connections[page_query.db].cursor() as cursor:
            cursor.execute(sql, params)
            page = cursor.fetchall()
        if not page:
            return
        last = page[-1][pk_index]
        converted = []
        for values in page:
            row = list(values)
            for i, convert in cells:
                row[i] = convert(row[i])
            converted.append(row)
        yield converted


def csv_rows(model: tables.Model, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """`csv_pages`, a row at a time."""
    for page in csv_pages(model, chunk):
        yield from page


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def export_table(name: str, fmt: str, out: str | Path, progress: Progress | None = None) -> int:
    """Write the table named `name` (`app.model` or its database name) to `out`; returns
    the number of rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format '{fmt}': use {' or '.join(FORMATS)}.")
    model = tables.model_for(name)
    header = [str(f.column) for f in tables.columns(model)]
    total = model._base_manager.count()
    report = progress or (lambda done, total: None)
    report(0, total)
    target = Path(out)
    remove_abandoned(target)
    partial = working(target, "partial")
    try:
        if fmt == "csv":
            done = _write_csv_spread(model, partial, target, header, total, report)
            if done is None:
                done = _write_csv(partial, header, csv_pages(model), total, report)
        else:
            done = _write_xlsx(partial, header, rows(model), total, report, tables.label(model))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return done


def _write_csv(
    target: Path,
    header: list[str],
    pages: Iterator[list[list[Any]]],
    total: int,
    report: Progress,
) -> int:
    done = 0
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for page in pages:
            writer.writerows(page)
            done += len(page)
            report(done, total)
    report(done, total)
    return done


def _bounds(model: tables.Model, total: int) -> list[tuple[Any, Any]] | None:
    """Primary-key ranges (above, at most) that split an integer-keyed table into about
    equal parts by key value; None when the table is small or its key is not an integer."""
    pk = model._meta.pk
    if total < SPREAD_FROM or pk is None or _kind(pk) not in INTEGERS:
        return None
    parts = forked.cpus() * PARTS_PER_CPU
    keys = model._base_manager.order_by("pk").values_list("pk", flat=True)
    first, last = keys.first(), keys.order_by("-pk").first()
    if first is None or last is None:
        return None
    step = max(1, (last - first + 1) // parts)
    inner = (first - 1 + step * i for i in range(1, parts))
    cuts = sorted({first - 1, last, *(cut for cut in inner if cut < last)})
    ranges: list[tuple[Any, Any]] = list(itertools.pairwise(cuts))
    ranges[-1] = (ranges[-1][0], None)  # and whatever comes after the last key read here
    return ranges


def _write_csv_spread(
    model: tables.Model, out: Path, target: Path, header: list[str], total: int, report: Progress
) -> int | None:
    """A large table's CSV written in parts by forked children, each on its own
    connection, then joined in key order into `out`: the same file as `_write_csv`, in
    about half the time on two CPUs. The parts are working files of `target`. None
    (nothing written) where forking is not safe or not worth it."""
    if not forked.can_read_in_children():
        return None
    ranges = _bounds(model, total)
    if ranges is None or len(ranges) < 2:
        return None
    paths = [working(target, f"{i}.part") for i in range(len(ranges))]

    def write_part(index: int) -> int:
        after, upto = ranges[index]
        count = 0
        with paths[index].open("w", encoding="utf-8", newline="") as part_file:
            writer = csv.writer(part_file)
            for page in csv_pages(model, after=after, upto=upto):
                writer.writerows(page)
                count += len(page)
        return count

    done = 0
    try:
        with out.open("w", encoding="utf-8-sig", newline="") as joined:
            csv.writer(joined).writerow(header)
            joined.flush()
            for index, count in enumerate(
                forked.fork_imap(write_part, range(len(ranges)), readers=True)
            ):
                with paths[index].open("rb") as part:
                    shutil.copyfileobj(part, joined.buffer, 1 << 20)
                done += count
                report(min(done, total), total)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
    report(done, total)
    return done


def _write_xlsx(
    target: Path,
    header: list[str],
    source: Iterator[list[Any]],
    total: int,
    report: Progress,
    title: str,
) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = None
    done = 0
    for row in source:
        if done % SHEET_ROWS == 0:
            part = done // SHEET_ROWS
            sheet = book.create_sheet(title=(title if not part else f"{title} {part + 1}")[:31])
            sheet.append(header)
        assert sheet is not None
        sheet.append([exports._xlsx_value(v) for v in row])
        done += 1
        if done % CHUNK == 0:
            report(done, total)
    if sheet is None:
        book.create_sheet(title=title[:31]).append(header)
    book.save(target)
    report(done, total)
    return done
