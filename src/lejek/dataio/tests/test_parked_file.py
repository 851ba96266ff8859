"""While a run is under way on SQLite, the job's file waits out of the job's row (which
every batch rewrites) in an ImportFile, and comes back when the run ends, done or failed;
a run stopped midway leaves it there, and the next run reads it from there."""

import pytest
from django.db import connection

from lejek.dataio import importer
from lejek.dataio.models import ImportFile, ImportJob
from lejek.dataio.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [["Organization - ID", "Organization - Name"]] + [
    [f"O-{i}", f"Company {i}"] for i in range(1, 26)
]


def new_job(admin):
    return importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS), source="crm"
    )


def file_in_row(job):
    return bytes(ImportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get())


def test_the_file_waits_apart_while_the_batches_run_and_comes_back(admin, monkeypatch):
    job = new_job(admin)
    original = bytes(job.data)
    seen = []
    process = importer._process

    def watching(*args):
        seen.append((len(file_in_row(job)), ImportFile.objects.filter(job=job).count()))
        return process(*args)

    monkeypatch.setattr(importer, "_process", watching)
    done = importer.run(job_id=job.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.report["created"] == 25
    parked = connection.vendor == "sqlite"
    assert seen == [(0, 1) if parked else (len(original), 0)] * 3
    assert bytes(done.data) == original and not ImportFile.objects.exists()


def test_a_run_stopped_midway_resumes_from_the_waiting_file(admin):
    job = new_job(admin)
    original = bytes(job.data)
    # as a run killed midway leaves it
    ImportFile.objects.create(job=job, data=original)
    ImportJob.objects.filter(pk=job.pk).update(data=b"")
    done = importer.run(job_id=job.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.report["created"] == 25
    assert bytes(done.data) == original and not ImportFile.objects.exists()


def test_a_failed_run_puts_the_file_back(admin, monkeypatch):
    job = new_job(admin)
    original = bytes(job.data)
    calls = []
    process = importer._process

    def failing(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return process(*args)

    monkeypatch.setattr(importer, "_process", failing)
    with pytest.raises(RuntimeError):
        importer.run(job_id=job.pk, batch_size=10)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.rows_done == 10
    assert bytes(job.data) == original and not ImportFile.objects.exists()
