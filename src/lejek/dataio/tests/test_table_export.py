"""`lejek export TABLE`: every table to CSV or XLSX, formula-safe, with progress."""

import csv
import datetime
import decimal

import pytest
from django.db import connection
from openpyxl import load_workbook

from lejek.contacts.models import Organization
from lejek.dataio import table_export, tables
from lejek.dataio.tests import samples
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled():
    return samples.fill(deals=20)


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_has_every_row_and_quotes_formulas(filled, tmp_path):
    calls = []
    path = tmp_path / "orgs.csv"
    written = table_export.export_table(
        "contacts.organization", "csv", path, progress=lambda d, t: calls.append((d, t))
    )
    lines = read_csv(path)
    assert written == Organization.objects.count() == len(lines) - 1
    assert lines[0][0] == "id"
    names = {row[lines[0].index("name")] for row in lines[1:]}
    assert "'=SUM(A1:A9)" in names and "Żółta Łódź sp. z o.o." in names
    assert calls[0] == (0, written) and calls[-1] == (written, written)


def test_csv_by_database_table_name_keeps_numbers_and_utc_times(filled, tmp_path):
    Deal.objects.filter(pk=Deal.objects.order_by("pk")[0].pk).update(amount=decimal.Decimal("-5"))
    path = tmp_path / "deals.csv"
    table_export.export_table("pipelines_deal", "csv", path)
    lines = read_csv(path)
    header = lines[0]
    first = lines[1]
    assert first[header.index("amount")] == "-5.00"  # a number, not quoted text
    assert first[header.index("created_at")].endswith("+00:00")
    assert len(lines) - 1 == Deal.objects.count()


def test_xlsx_of_a_table_with_json_and_binary_columns(filled, tmp_path):
    def exported(table):
        path = tmp_path / f"{table}.xlsx"
        written = table_export.export_table(table, "xlsx", path)
        values = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        assert written == 1 and len(values) == 2
        return dict(zip(values[0], values[1], strict=True))

    assert exported("dataio.importjob")["columns"].startswith("{")
    # the uploaded file, in base64: kept out of the job's row on SQLite
    kept = "dataio.importfile" if connection.vendor == "sqlite" else "dataio.importjob"
    assert exported(kept)["data"]


def test_every_table_exports(filled, tmp_path):
    for name in tables.names():
        assert table_export.export_table(name, "csv", tmp_path / "t.csv") >= 0


def test_unknown_table_and_format(tmp_path):
    with pytest.raises(LookupError, match="No table"):
        table_export.export_table("nope", "csv", tmp_path / "x.csv")
    with pytest.raises(ValueError, match="Unknown format"):
        table_export.export_table("pipelines.deal", "pdf", tmp_path / "x.pdf")


def test_csv_cells_from_driver_values_equal_the_converted_ones(filled, tmp_path):
    """`csv_rows` skips Django's per-value converters; every table's cells must not change."""
    first = Deal.objects.order_by("pk")[0]
    Deal.objects.filter(pk=first.pk).update(
        title="=HYPERLINK(1)",
        amount=decimal.Decimal("1234567.89"),
        closed_at=datetime.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
        objection_tags=["price", "=cmd"],
        committed_amount=None,
    )
    for name in tables.names():
        model = tables.model_for(name)
        expected = [
            [table_export._csv_value(v) for v in row] for row in table_export.rows(model, chunk=7)
        ]
        found = [  # the writer writes None as an empty cell, as `rows` gives it
            ["" if v is None else v for v in row] for row in table_export.csv_rows(model, chunk=7)
        ]
        assert found == expected, name
    table_export.export_table("pipelines.deal", "csv", tmp_path / "deals.csv")
    header, *rows = read_csv(tmp_path / "deals.csv")
    row = next(r for r in rows if r[0] == str(first.pk))
    assert row[header.index("title")] == "'=HYPERLINK(1)"
    assert row[header.index("amount")] == "1234567.89"
    assert row[header.index("closed_at")] == "2025-03-01T09:30:15.123456+00:00"


def test_a_large_csv_written_in_parts_is_the_same_file(filled, tmp_path, monkeypatch):
    """Parts by key range, joined in key order: byte for byte the file written in one go,
    with the progress moving part by part. (The parts run in forked children outside a
    test's transaction; `core.forked` has its own tests.)"""
    from lejek.core import forked

    ids = list(Deal.objects.order_by("pk").values_list("pk", flat=True))
    Deal.objects.filter(pk__in=ids[3:9]).delete()  # a gap in the keys
    whole, parted = tmp_path / "whole.csv", tmp_path / "parted.csv"
    table_export.export_table("pipelines.deal", "csv", whole)  # small: in one go

    parts = []
    in_order = forked.fork_imap

    def spread(func, items, workers=0, *, readers=False):
        assert readers  # the children read on their own connections
        parts.append(len(items))
        return in_order(func, items, 1, readers=readers)

    monkeypatch.setattr(forked, "fork_imap", spread)
    monkeypatch.setattr(forked, "can_read_in_children", lambda **_: True)
    monkeypatch.setattr(forked, "cpus", lambda: 2)
    monkeypatch.setattr(table_export, "SPREAD_FROM", 1)
    calls = []
    written = table_export.export_table(
        "pipelines.deal", "csv", parted, progress=lambda d, t: calls.append((d, t))
    )
    assert parts == [2 * table_export.PARTS_PER_CPU]
    assert parted.read_bytes() == whole.read_bytes()
    assert written == Deal.objects.count() == len(read_csv(parted)) - 1
    assert len(calls) > 3 and calls[-1] == (written, written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parted.csv", "whole.csv"]


def test_a_stopped_export_leaves_no_file_under_the_target_name(filled, tmp_path, monkeypatch):
    """The file is written under a working name and renamed when complete: an export that
    fails midway leaves the earlier file as it was, and no working file."""
    target = tmp_path / "deals.csv"
    target.write_text("the export before\n")

    def broken(*args, **kwargs):
        yield [[1, "a deal"]]
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(table_export, "csv_pages", broken)
    with pytest.raises(RuntimeError):
        table_export.export_table("pipelines.deal", "csv", target)
    assert target.read_text() == "the export before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["deals.csv"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_working_files_of_a_killed_export_are_removed_by_the_next(filled, tmp_path, fmt):
    """A killed export's working files (its process gone) go at the next export to the same
    name; those of a running export, and other files, stay."""
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    name = f"deals.{fmt}"
    left = [f".{name}.{gone}.partial", f".{name}.{gone}.0.part", f".{name}.{gone}.7.part"]
    kept = [f".{name}.1.partial", "notes.txt", f".other.{fmt}.{gone}.partial"]  # pid 1 runs
    for file in left + kept:
        (tmp_path / file).write_text("x")
    written = table_export.export_table("pipelines.deal", fmt, tmp_path / name)
    assert written == Deal.objects.count()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, *kept])
