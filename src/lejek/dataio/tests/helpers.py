"""Files and jobs for the import tests."""

import csv
import io
from typing import Any

from openpyxl import Workbook

from lejek.dataio import importer


def csv_bytes(rows: list[list[Any]], delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_file(actor, kind: str, rows: list[list[Any]], **options: Any) -> Any:
    """Create a job for the rows (as CSV) and run it; returns the finished job."""
    name = options.pop("filename", f"{kind}.csv")
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    job = importer.job_create(actor=actor, kind=kind, filename=name, data=data, **options)
    return importer.run(job_id=job.pk, batch_size=options.pop("batch_size", 1000))
