"""Schemas of the import API."""

import datetime
from typing import Any

from ninja import Field, Schema


class ImportFieldOut(Schema):
    name: str
    type: str
    label: str
    required: bool


class ImportJobOut(Schema):
    id: int
    kind: str
    source: str
    filename: str
    columns: dict[str, str] = Field(description="File header → field name ('' = not imported)")
    duplicates: str
    options: dict[str, Any]
    status: str
    rows_total: int
    rows_done: int
    percent: int
    finishing: bool = Field(
        description="Every row is in; the run is building its indexes and the summaries"
    )
    dry_run: dict[str, Any] | None = Field(None, description="The last dry run's report")
    report: dict[str, Any] = Field(description="Counts and the rejected rows so far")
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class ImportJobPatch(Schema):
    columns: dict[str, str] | None = None
    duplicates: str | None = Field(None, pattern="^(skip|update|create)$")
    source: str | None = Field(None, max_length=50)
    options: dict[str, Any] | None = None
    mapping_id: int | None = Field(None, description="Apply a saved mapping")


class MappingIn(Schema):
    name: str = Field(max_length=120)
    kind: str
    columns: dict[str, str]


class MappingOut(Schema):
    id: int
    name: str
    kind: str
    columns: dict[str, str]
