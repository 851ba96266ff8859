"""On SQLite a job's file is kept out of the job's row (which every batch rewrites), in an
ImportFile, from the upload on; a job whose file is still in its row (created before) has
it moved out by its first run. Either way every run reads the file it was given."""

import pytest
from django.db import connection

from lejek.dataio import importer
from lejek.dataio.models import ImportFile, ImportJob
from lejek.dataio.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [["Organization - ID", "Organization - Name"]] + [
    [f"O-{i}", f"Company {i}"] for i in range(1, 26)
]
APART = connection.vendor == "sqlite"


def new_job(admin):
    return importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data=csv_bytes(ROWS), source="crm"
    )


def where(job):
    """(bytes of the file in the job's row, bytes in its ImportFile or None)"""
    row = bytes(ImportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get())
    kept = ImportFile.objects.filter(job_id=job.pk).values_list("data", flat=True).first()
    return len(row), None if kept is None else len(kept)


def test_the_file_is_kept_apart_from_the_upload_on(admin, monkeypatch):
    original = csv_bytes(ROWS)
    job = new_job(admin)
    expected = (0, len(original)) if APART else (len(original), None)
    assert where(job) == expected and importer._data(job) == original
    seen = []
    process = importer._process

    def watching(*args):
        seen.append(where(job))
        return process(*args)

    monkeypatch.setattr(importer, "_process", watching)
    done = importer.run(job_id=job.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.report["created"] == 25
    assert seen == [expected] * 3 and where(job) == expected
    assert importer._data(done) == original


def test_a_file_still_in_its_row_is_moved_out_by_the_run(admin):
    original = csv_bytes(ROWS)
    job = new_job(admin)
    # as a job created before files were kept apart has it
    ImportFile.objects.filter(job=job).delete()
    ImportJob.objects.filter(pk=job.pk).update(data=original)
    done = importer.run(job_id=job.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.report["created"] == 25
    assert where(job) == ((0, len(original)) if APART else (len(original), None))
    assert importer._data(done) == original


def test_a_failed_run_keeps_the_file_for_the_next(admin, monkeypatch):
    original = csv_bytes(ROWS)
    job = new_job(admin)
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
    assert importer._data(job) == original
    monkeypatch.setattr(importer, "_process", process)
    done = importer.run(job_id=job.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.report["created"] == 25
