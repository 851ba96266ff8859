"""Runs an import in its own process until done or killed (used by test_sigkill).

Usage: python import_worker.py start ROWS  — migrate, create the job, print its id, run it.
       python import_worker.py deals ROWS  — the same with a deals file, on the fast path
                                             of a large import (its indexes set aside).
       python import_worker.py resume JOB  — run the job again to the end, print its report.
DATABASE_URL names the database (empty for `start`).
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lejek.config.settings")

BATCH = 100


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from lejek.accounts import services as accounts
    from lejek.accounts.models import User
    from lejek.dataio import importer
    from lejek.pipelines import services as pipelines

    mode, number = sys.argv[1], int(sys.argv[2])
    importer.DEFER_SUMMARIES_FROM = 1  # any deals job here counts as large
    if mode in ("start", "deals"):
        call_command("migrate", verbosity=0)
        admin = accounts.user_create(username="importer", password="x" * 12, role="admin")
        if mode == "start":
            kind, lines = "organization", ["Organization - ID;Organization - Name"]
            lines += [f"O-{i};Company {i}" for i in range(1, number + 1)]
        else:
            pipelines.pipeline_create(actor=admin, template="probability_weighted")
            kind, lines = "deal", ["Record ID;Deal Name;Amount;Deal Stage;Create Date"]
            lines += [
                f"D-{i};Deal {i};{i}00;Qualified;2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00"
                for i in range(1, number + 1)
            ]
        job = importer.job_create(
            actor=admin,
            kind=kind,
            filename=f"{kind}.csv",
            data="\n".join(lines).encode(),
            source="old-crm",
            options={"fast": True},
        )
        print(job.pk, flush=True)
        importer.run(job_id=job.pk, batch_size=BATCH)
    else:
        assert User.objects.exists()
        job = importer.run(job_id=number, batch_size=BATCH)
        print(json.dumps({"status": job.status, "report": job.report}), flush=True)


if __name__ == "__main__":
    main()
