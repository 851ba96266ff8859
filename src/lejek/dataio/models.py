"""Imports: the jobs, the saved column mappings, and the external ids that make re-runs safe."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportKind(models.TextChoices):
    ORGANIZATION = "organization", "Organizations"
    PERSON = "person", "People"
    LEAD = "lead", "Leads"
    DEAL = "deal", "Deals"
    ACTIVITY = "activity", "Activities"
    STAGE_HISTORY = "stage_history", "Deal stage history"


class Duplicates(models.TextChoices):
    """What to do with a row that matches an existing record."""

    SKIP = "skip", "Skip it"
    UPDATE = "update", "Update the existing record"
    CREATE = "create", "Create a new record anyway"


class ExternalId(models.Model):
    """The id a record had in the system it came from: (kind, source, external id) → record.

    Re-running an import finds its records here and updates them instead of
    creating them again. Written in the same transaction as the record.
    """

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=200)
    record_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "external_id"], name="externalid_kind_source_id"
            )
        ]
        indexes = [models.Index(fields=["kind", "record_id"], name="externalid_kind_record")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source}:{self.external_id} → {self.record_id}"


class SavedMapping(models.Model):
    """A column mapping (file header → field) kept for the next file of the same shape."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file imported as one kind of record, batch by batch.

    `rows_done` and `report` are written in the transaction of each batch, so after
    a crash they say exactly which rows are in the database; a re-run resumes there.
    On SQLite the uploaded file is kept apart, in an `ImportFile`.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    source = models.CharField(max_length=50, default="import")
    filename = models.CharField(max_length=255)
    # In the database, not on a disk: a worker on another machine must read it too.
    data = models.BinaryField()
    columns = models.JSONField(default=dict)
    duplicates = models.CharField(
        max_length=6, choices=Duplicates.choices, default=Duplicates.UPDATE
    )
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    dry_run = models.JSONField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def finishing(self) -> bool:
        """Every row is in and the run is still going: it builds the indexes it set aside
        and the analytics summaries (minutes, for millions of rows)."""
        return self.status == self.Status.RUNNING and 0 < self.rows_total <= self.rows_done


class ImportFile(models.Model):
    """The uploaded file of a job on SQLite, kept out of the job's row.

    The job's row is rewritten with the progress of every batch (and with every change
    of its mapping), and SQLite writes a whole row, file included, on every UPDATE: a
    large import wrote its file (hundreds of megabytes) again for each of its thousand
    batches. So the file is stored here from the upload on. A job created before that
    kept it in its row; its first run moves it here. PostgreSQL keeps large values out of
    the row (TOAST), so there the file stays in the job's row.
    """

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="file")
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"file of import {self.job_id}"
