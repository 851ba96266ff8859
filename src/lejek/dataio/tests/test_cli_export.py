"""`lejek export`: the table to a file, with a progress bar that starts no thread (a large
CSV is written by forked children only in a process running no other thread)."""

import threading

import pytest
from typer.testing import CliRunner

from lejek.cli import app
from lejek.dataio import table_export
from lejek.dataio.tests import samples
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db


def test_export_writes_the_table_with_no_thread_beside_it(tmp_path, monkeypatch):
    samples.fill(deals=5)
    before = threading.active_count()
    seen = []
    original = table_export.export_table

    def watched(*args, **kwargs):
        seen.append(threading.active_count())
        return original(*args, **kwargs)

    monkeypatch.setattr(table_export, "export_table", watched)
    target = tmp_path / "deals.csv"
    result = CliRunner().invoke(
        app, ["export", "pipelines.deal", "--out", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert seen == [before]
    assert f"{Deal.objects.count():,} rows" in result.output
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == Deal.objects.count() + 1
