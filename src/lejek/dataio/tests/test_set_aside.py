"""A large import on SQLite sets the deals' and stage changes' random-order indexes aside
while its batches run, and builds them again when it ends, fails, or is resumed after
being stopped (`set_aside`)."""

import pytest
from django.db import connection

from lejek.dataio import fast, importer, set_aside
from lejek.dataio.models import ImportJob
from lejek.dataio.tests.helpers import csv_bytes
from lejek.dataio.tests.test_fast_path import deals_file, history_file, state
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import StageChange

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="indexes are set aside on SQLite"),
]

PROCESS = fast.process
TABLES = ("pipelines_deal", "pipelines_stagechange", "pipelines_statuschange")


class Stopped(BaseException):
    """The process ends in the middle of a batch (no `except Exception` sees it)."""


def indexes():
    marks = ", ".join(["%s"] * len(TABLES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})",  # noqa: S608
            TABLES,
        )
        return dict(cursor.fetchall())


def job(admin, kind, rows):
    return importer.job_create(
        actor=admin, kind=kind, filename=f"{kind}.csv", data=csv_bytes(rows),
        source="crm", options={"fast": True},
    )  # fmt: skip


def watch_batches(monkeypatch, stop_at=None, error=None):
    """Record the indexes present during each batch; raise `error` in batch `stop_at`."""
    seen = []
    process = fast.process

    def watched(*args):
        seen.append(set(indexes()))
        if len(seen) == stop_at:
            raise error
        return process(*args)

    monkeypatch.setattr(fast, "process", watched)
    return seen


@pytest.fixture
def pipeline(admin):
    return pipeline_services.pipeline_create(actor=admin, template="probability_weighted")


def test_a_large_import_runs_without_them_and_ends_with_every_index_as_before(
    admin, pipeline, monkeypatch
):
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    before = indexes()
    seen = watch_batches(monkeypatch)
    deals = importer.run(job_id=job(admin, "deal", deals_file()).pk, batch_size=20)
    last = StageChange.objects.order_by("pk").last().pk
    history = importer.run(
        job_id=job(admin, "stage_history", history_file(padded=False)).pk, batch_size=40
    )
    assert deals.status == history.status == ImportJob.Status.DONE
    assert set_aside.KEY not in deals.report and set_aside.KEY not in history.report
    assert indexes() == before

    # With the time indexes aside, new stage changes keep the file's order (deal by deal).
    found = StageChange.objects.filter(pk__gt=last).order_by("pk").values_list("deal_id", flat=True)
    assert len(found) > 60 and list(found) == sorted(found)
    for kind in ("deal", "stage_history"):
        assert set(set_aside.ASIDE[kind]) <= set(before)  # each is one of the models' indexes
    # the deals job's batches of 20 rows, then the history job's
    first = -(-(len(deals_file()) - 1) // 20)
    assert len(seen) > first + 2 and seen[0] == set(before) - set(set_aside.ASIDE["deal"])
    assert all(names == seen[0] for names in seen[:first])
    history_aside = set(before) - set(set_aside.ASIDE["stage_history"])
    assert all(names == history_aside for names in seen[first:])
    assert "deal_created_id" in history_aside  # creation times do not change with history


def test_the_records_are_the_same_with_the_indexes_set_aside(admin, pipeline, monkeypatch):
    from django.db import transaction

    results = []
    for threshold in (1, 10**9):  # deferring (indexes set aside) or not
        monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", threshold)
        with transaction.atomic():
            importer.run(job_id=job(admin, "deal", deals_file()).pk, batch_size=20)
            importer.run(job_id=job(admin, "stage_history", history_file()).pk, batch_size=40)
            results.append(state(admin))
            transaction.set_rollback(True)
    assert results[0] == results[1]


@pytest.mark.parametrize("batch", [1, 2])
def test_a_failed_import_gives_them_back(admin, pipeline, monkeypatch, batch):
    """Failing in the first batch rolls the drop back with the batch; in a later one,
    the job builds them again as it fails."""
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    before = indexes()
    watch_batches(monkeypatch, stop_at=batch, error=RuntimeError("disk full"))
    created = job(admin, "deal", deals_file())
    with pytest.raises(RuntimeError):
        importer.run(job_id=created.pk, batch_size=20)
    created.refresh_from_db()
    assert created.status == ImportJob.Status.FAILED and created.rows_done == 20 * (batch - 1)
    assert set_aside.KEY not in created.report
    assert indexes() == before


def test_a_stopped_import_resumed_builds_them_when_it_ends(admin, pipeline, monkeypatch):
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    before = indexes()
    watch_batches(monkeypatch, stop_at=3, error=Stopped())
    created = job(admin, "deal", deals_file())
    with pytest.raises(Stopped):
        importer.run(job_id=created.pk, batch_size=20)
    created.refresh_from_db()
    assert created.status == ImportJob.Status.RUNNING and created.rows_done == 40
    assert sorted(created.report[set_aside.KEY]) == sorted(set(before) - set(indexes()))
    assert "deal_open_forecast" not in indexes()

    monkeypatch.setattr(fast, "process", PROCESS)  # the next run goes to the end
    done = importer.run(job_id=created.pk, batch_size=20)
    assert done.status == ImportJob.Status.DONE and done.report["created"] > 50
    assert set_aside.KEY not in done.report
    assert indexes() == before


def test_a_small_import_leaves_them_alone(admin, pipeline, monkeypatch):
    before = indexes()
    seen = watch_batches(monkeypatch)
    done = importer.run(job_id=job(admin, "deal", deals_file()).pk, batch_size=20)
    assert done.status == ImportJob.Status.DONE and set_aside.KEY not in done.report
    assert seen and all(names == set(before) for names in seen)


def test_restoring_leaves_an_index_already_there_alone():
    report = {set_aside.KEY: set_aside.drop("deal")}
    names = sorted(report[set_aside.KEY])
    with connection.cursor() as cursor:
        cursor.execute(report[set_aside.KEY]["deal_open_forecast"])  # built again already
    assert set_aside.restore(report) == names
    assert set_aside.KEY not in report and set(names) <= set(indexes())
    assert set_aside.restore(report) == []


def test_a_job_owing_a_rebuild_builds_them_in_its_transaction(admin, pipeline, monkeypatch):
    """The indexes are built while the rebuild's children compute the deal summaries (in the
    rebuild's transaction, after the first chunk is asked for); with the rebuild left for
    later, on their own."""
    from lejek.analytics import rebuild

    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    before = indexes()
    calls = []
    unwatched_restore, unwatched_rebuild = set_aside.restore, rebuild.rebuild

    def restore(report):
        calls.append(("restore", connection.in_atomic_block, bool(report.get(set_aside.KEY))))
        return unwatched_restore(report)

    def watched_rebuild(progress=None, meanwhile=None):
        calls.append(("rebuild", meanwhile is not None))
        return unwatched_rebuild(progress, meanwhile)

    monkeypatch.setattr(set_aside, "restore", restore)
    monkeypatch.setattr(rebuild, "rebuild", watched_rebuild)
    created = importer.job_create(
        actor=admin, kind="deal", filename="d.csv", data=csv_bytes(deals_file()),
        source="crm", options={"fast": True, "summaries": "later"},
    )  # fmt: skip
    importer.run(job_id=created.pk, batch_size=20)
    assert calls == [("restore", True, True)] and indexes() == before  # no rebuild owed
    calls.clear()
    done = importer.run(job_id=job(admin, "stage_history", history_file()).pk, batch_size=40)
    assert calls == [("rebuild", True), ("restore", True, True)]
    assert done.status == ImportJob.Status.DONE and set_aside.KEY not in done.report
    assert indexes() == before


@pytest.mark.django_db(transaction=True)  # the failed rebuild's transaction is the outermost
def test_a_failed_rebuild_still_gives_them_back(admin, pipeline, monkeypatch):
    from lejek.analytics import rollups

    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    before = indexes()
    created = job(admin, "deal", deals_file())

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(rollups, "derive_grains", broken)  # after the indexes are built
    with pytest.raises(RuntimeError):
        importer.run(job_id=created.pk, batch_size=20)
    created.refresh_from_db()
    assert created.status == ImportJob.Status.FAILED and set_aside.KEY not in created.report
    assert indexes() == before
