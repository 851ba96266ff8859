"""Data in many tables for the backup tests: demo deals with their history, an import
(jobs, external ids, audit entries, binary file data), a token and a saved mapping."""

import datetime

from django.utils import timezone

from lejek.accounts import services as account_services
from lejek.accounts.models import User
from lejek.dataio import importer
from lejek.dataio.tests.helpers import csv_bytes
from lejek.demo.generate import generate

NOW = datetime.datetime(2025, 6, 2, tzinfo=datetime.UTC)

ORGS = [
    ["Organization - ID", "Organization - Name"],
    ["O-1", "Żółta Łódź sp. z o.o."],
    ["O-2", "=SUM(A1:A9)"],
    ["O-3", "ООО Ромашка"],
]


def fill(deals: int = 60) -> User:
    generate(deals=deals, seed=11, now=NOW, parallel=False)
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    assert admin is not None
    account_services.token_issue(user=admin, name="backup tests")
    job = importer.job_create(
        actor=admin, kind="organization", filename="orgs.csv", data=csv_bytes(ORGS),
        source="old-crm",
    )  # fmt: skip
    importer.run(job_id=job.pk)
    importer.mapping_save(
        actor=admin, name="Pipedrive orgs", kind="organization",
        columns={"Organization - Name": "name"},
    )  # fmt: skip
    User.objects.filter(pk=admin.pk).update(last_login=timezone.now())
    return admin
