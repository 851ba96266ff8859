"""Reading uploaded files: the count of rows a new job shows is the count the run reads."""

import gc

import pytest

from lejek.dataio import reading

FILES = {
    "plain": "Name,Stage\nA,Won\nB,Lost\n",
    "no break at the end": "Name,Stage\nA,Won\nB,Lost",
    "windows breaks": "Name,Stage\r\nA,Won\r\nB,Lost\r\n",
    "old mac breaks": "Name,Stage\rA,Won\rB,Lost\r",
    "blank lines": "Name,Stage\n\nA,Won\n\n\nB,Lost\n",
    "header only": "Name,Stage\n",
    "header without a break": "Name,Stage",
    "a quoted line break": 'Name,Note\nA,"two\nlines"\nB,"one, with a comma"\n',
    "semicolons and quotes": 'Nazwa;Kwota\nA;"1 234,50"\r\nB;"2\r\n3"\r\n',
    "tabs": "Name\tStage\nA\tWon\n",
}


@pytest.mark.parametrize("content", FILES.values(), ids=FILES.keys())
def test_scan_counts_the_rows_read_reads(content):
    data = content.encode("utf-8")
    header, count = reading.scan(data, "file.csv")
    table = reading.read(data, "file.csv")
    assert header == table.header
    assert count == len(table.rows)


def test_no_garbage_collection_while_rows_are_read(monkeypatch):
    """Every row read is a new list that each collection would go through again."""
    data = b"Name\n" + b"".join(b"row %d\n" % i for i in range(1000))
    reading_now, runs = [], []
    unwatched = reading._csv

    def watched(content):
        reading_now.append(True)
        try:
            return unwatched(content)
        finally:
            reading_now.pop()

    def count(phase, info):
        if phase == "start" and reading_now:
            runs.append(info["generation"])

    monkeypatch.setattr(reading, "_csv", watched)
    threshold = gc.get_threshold()
    gc.set_threshold(10)  # a collection every few rows, if it may run
    gc.callbacks.append(count)
    try:
        assert len(reading.read(data, "file.csv").rows) == 1000
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert runs == []
    assert gc.isenabled()
    gc.disable()
    try:
        reading.read(data, "file.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()


MORE = {
    **FILES,
    "empty cells": "Name,Stage,Note\nA,,\n,,\n,Won,x\n",
    "spaces kept": "Name, Stage \n A , Won \n",
    "a single column": "Name\nA\n\nB",
    "apostrophes": "Name,Note\nO'Brien,it's\n",
    "unicode breaks are text": "Name,Note\nA,x\u2028y\u0085z\x0bw\n",
    "semicolons": "Nazwa;Etap\nA;Wygrana\nŁódź;Przegrana\n",
    "a NUL": "Name,Note\nA,x\x00y\n",
    "a lone quote": 'Name,Note\nA,5" screen\n',
}


@pytest.mark.parametrize("content", MORE.values(), ids=MORE.keys())
def test_plain_files_are_split_as_the_csv_module_reads_them(content):
    """`_plain` splits lines and cells itself when the csv module would do nothing more;
    either way, the rows are those the csv module reads."""
    import csv
    import io

    dialect = reading._dialect(content)
    expected = list(csv.reader(io.StringIO(content, newline=""), dialect))
    plain = reading._plain(content, dialect)
    if plain is not None:
        assert plain == expected
    table = reading.read(content.encode("utf-8"), "file.csv")
    if expected and expected[0]:
        assert [table.header, *(cells for _, cells in table.rows)] == [
            [c.strip() for c in expected[0]],
            *expected[1:],
        ]
        assert [n for n, _ in table.rows] == list(range(2, len(expected) + 1))


def test_plain_files_take_the_split_and_others_the_csv_module():
    def plain(content):
        return reading._plain(content, reading._dialect(content)) is not None

    assert plain("Deal ID,Deal Stage,Entered At\nB-1,Won,2025-01-01 12:00\n")
    assert plain("Nazwa;Etap\nA;Wygrana\n")
    assert not plain('Name,Note\nA,"two\nlines"\n')  # a quote
    assert not plain("Name,Stage\r\nA,Won\r\n")  # \r\n breaks
    assert not plain("Name,Note\nA,x\x00y\n")  # a NUL
