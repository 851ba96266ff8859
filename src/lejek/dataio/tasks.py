"""Imports in the background: a thin task around the importer, safe to run twice."""

from django.tasks import task

from lejek.dataio import importer


@task
def run_import(job_id: int) -> str:
    """Run (or resume) an import job; a second run finds nothing left to do."""
    return str(importer.run(job_id=job_id).status)
