"""`lejek import`: a file from disk, with `--summaries later` for a deals import whose stage
history comes next (the history import's rebuild then covers both)."""

import threading

import pytest
from typer.testing import CliRunner

from lejek.analytics.models import DealSummary
from lejek.cli import app
from lejek.contacts import services as contact_services
from lejek.dataio import fast, importer
from lejek.dataio.tests.test_fast_path import deals_file
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals_csv(admin, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # The 69-row file counts as large: fast path, one rebuild at the end.
    monkeypatch.setattr(fast, "FROM_ROWS", 1)
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    for name in ("Acme", "Żabka"):
        contact_services.organization_create(actor=admin, data={"name": name})
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in deals_file()))
    return path


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["import", *args], catch_exceptions=False)


def test_summaries_later_leaves_the_rebuild_to_the_next_import(admin, deals_csv) -> None:  # type: ignore[no-untyped-def]
    result = run("deal", str(deals_csv), "--user", admin.username, "--summaries", "later")
    assert result.exit_code == 0, result.output
    assert "'summaries_left': True" in result.output
    assert Deal.objects.count() == 63
    assert DealSummary.objects.count() < Deal.objects.count()  # left for later


def test_summaries_are_rebuilt_by_default(admin, deals_csv, threads_at_rebuild) -> None:  # type: ignore[no-untyped-def]
    before = threading.active_count()
    result = run("deal", str(deals_csv), "--user", admin.username)
    assert result.exit_code == 0, result.output
    assert "rows in; building indexes and summaries" in result.output
    assert "summaries_left" not in result.output
    assert DealSummary.objects.count() == Deal.objects.count() == 63
    assert threads_at_rebuild == [before]


def test_lejek_rebuild_builds_the_summaries_left_for_later(
    admin, deals_csv, threads_at_rebuild
) -> None:  # type: ignore[no-untyped-def]
    run("deal", str(deals_csv), "--user", admin.username, "--summaries", "later")
    assert DealSummary.objects.count() < Deal.objects.count()
    before = threading.active_count()
    result = CliRunner().invoke(app, ["rebuild"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Summaries rebuilt in" in result.output and "deals 63" in result.output
    assert DealSummary.objects.count() == Deal.objects.count() == 63
    assert threads_at_rebuild == [before]


def test_an_unknown_summaries_choice_is_refused(admin, deals_csv) -> None:  # type: ignore[no-untyped-def]
    result = run("deal", str(deals_csv), "--user", admin.username, "--summaries", "soon")
    assert result.exit_code == 1
    assert "--summaries is 'now' or 'later'" in result.output
    assert not Deal.objects.exists()
