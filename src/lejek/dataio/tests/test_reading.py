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
