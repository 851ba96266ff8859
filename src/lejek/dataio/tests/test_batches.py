"""All-or-nothing batches: a run that dies midway leaves whole batches only, and a re-run
completes the import without duplicates."""

import pytest

from lejek.contacts.models import Organization
from lejek.dataio import importer, writers
from lejek.dataio.models import ExternalId, ImportJob
from lejek.dataio.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [["Organization - ID", "Organization - Name", "Organization - Industry"]] + [
    [f"O-{i}", f"Company {i}", "Software"] for i in range(1, 9)
]


class Boom(RuntimeError):
    pass


def dying_at(name):
    def write(ctx, values):
        outcome = writers.organization(ctx, values)
        if values["name"] == name:
            raise Boom("the process died")
        return outcome

    return write


def test_a_batch_that_fails_midway_leaves_nothing_of_itself(admin, monkeypatch):
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    monkeypatch.setitem(importer.WRITERS, "organization", dying_at("Company 5"))
    with pytest.raises(Boom):
        importer.run(job_id=job.pk, batch_size=3)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.rows_done == 3 and job.report["created"] == 3
    assert "Stopped at rows 5–7" in job.error
    # Company 4 was written in the failed batch before the failure: rolled back with it.
    assert sorted(Organization.objects.values_list("name", flat=True)) == [
        "Company 1", "Company 2", "Company 3",
    ]  # fmt: skip
    assert ExternalId.objects.count() == 3

    monkeypatch.setitem(importer.WRITERS, "organization", writers.organization)
    done = importer.run(job_id=job.pk, batch_size=3)
    assert done.status == ImportJob.Status.DONE
    assert (done.rows_done, done.report["created"], done.report["rows"]) == (8, 8, 8)
    assert Organization.objects.count() == 8 and ExternalId.objects.count() == 8


def test_a_rerun_from_the_first_row_creates_nothing_twice(admin, monkeypatch):
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    monkeypatch.setitem(importer.WRITERS, "organization", dying_at("Company 7"))
    with pytest.raises(Boom):
        importer.run(job_id=job.pk, batch_size=3)
    monkeypatch.setitem(importer.WRITERS, "organization", writers.organization)
    fresh = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    done = importer.run(job_id=fresh.pk, batch_size=3)
    assert (done.report["created"], done.report["unchanged"]) == (2, 6)
    assert Organization.objects.count() == 8


def test_a_finished_job_runs_no_more(admin):
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    importer.run(job_id=job.pk)
    again = importer.run(job_id=job.pk)
    assert again.report["created"] == 8 and Organization.objects.count() == 8


def test_progress_is_reported_per_batch(admin):
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    seen = []
    importer.run(
        job_id=job.pk, batch_size=3, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(3, 8), (6, 8), (8, 8)]


def test_batches_are_larger_on_the_fast_path_unless_a_size_is_given(admin, monkeypatch):
    from lejek.pipelines import services as pipeline_services

    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    monkeypatch.setattr(importer, "BATCH", 3)
    monkeypatch.setattr(importer, "FAST_BATCH", 5)
    deals = [["Record ID", "Deal Name", "Amount"]] + [
        [f"D-{i}", f"Deal {i}", "10"] for i in range(1, 12)
    ]

    def batches(kind, rows, fast, size=None):
        job = importer.job_create(
            actor=admin, kind=kind, filename="f.csv", data=csv_bytes(rows),
            source=f"{kind}-{fast}-{size}", options={"fast": fast},
        )  # fmt: skip
        ends = []
        importer.run(job_id=job.pk, progress=lambda done, total: ends.append(done), batch_size=size)
        return ends

    assert batches("deal", deals, True) == [5, 10, 11]
    assert batches("deal", deals, False) == [3, 6, 9, 11]
    assert batches("deal", deals, True, size=4) == [4, 8, 11]
    assert batches("organization", ROWS, True) == [3, 6, 8]  # no fast path for these


def test_no_collection_inside_a_batch_and_survivors_frozen_between_batches(admin, monkeypatch):
    """What a job keeps grows with it, and full collections would walk all of it again and
    again: a batch runs with the collector paused, its cycles are collected after it, and
    what survives is moved out of the collector's sight until the run ends."""
    import gc

    events = []

    def write(ctx, values):
        events.append(values["name"] if not gc.isenabled() else "collecting during a batch")
        return writers.organization(ctx, values)

    def watched(name):
        unwatched = getattr(gc, name)

        def call(*args):
            events.append(name)
            return unwatched(*args)

        return call

    monkeypatch.setitem(importer.WRITERS, "organization", write)
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS)
    )
    for name in ("collect", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, watched(name))
    importer.run(job_id=job.pk, batch_size=3)
    batches = [f"Company {i}" for i in (1, 2, 3)], [f"Company {i}" for i in (4, 5, 6)]
    assert events == [
        "freeze",  # the file, once read
        *batches[0], "collect", "freeze",
        *batches[1], "collect", "freeze",
        "Company 7", "Company 8", "collect", "freeze",
        "unfreeze",  # when the run ends
    ]  # fmt: skip
    assert gc.isenabled()
