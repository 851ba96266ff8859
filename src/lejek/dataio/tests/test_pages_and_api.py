"""The import pages and API: status codes, permissions and one happy path each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lejek.accounts import services as account_services
from lejek.contacts.models import Organization
from lejek.dataio.models import ImportJob, SavedMapping
from lejek.dataio.tests.helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS = [["Company name", "Industry", "Website"], ["Acme", "Software", "acme.example"], ["", "", ""]]


def upload(client, rows=ROWS, name="orgs.csv", kind="organization"):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return client.post(
        "/imports/",
        {
            "file": SimpleUploadedFile(name, data),
            "kind": kind,
            "source": "file",
            "duplicates": "skip",
        },
    )


def test_page_flow_upload_map_dry_run_run_report(owner, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(owner)
    assert client.get("/imports/").status_code == 200
    response = upload(client)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200 and "Company name" in page.content.decode()
    assert job.columns == {"Company name": "name", "Industry": "industry", "Website": "website"}
    client.post(
        f"/imports/{job.pk}/mapping/",
        {"col_0": "name", "col_1": "", "col_2": "website", "duplicates": "update",
         "source": "file", "save_as": "Plain orgs"},
    )  # fmt: skip
    job.refresh_from_db()
    assert job.columns["Industry"] == "" and job.duplicates == "update"
    assert SavedMapping.objects.get().name == "Plain orgs"
    assert client.post(f"/imports/{job.pk}/dry-run/").status_code == 302
    job.refresh_from_db()
    assert job.dry_run["created"] == 1 and Organization.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/imports/{job.pk}/run/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 1 and job.report["blank"] == 1
    progress = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
    body = progress.content.decode()
    assert "Final report" in body and "hx-trigger" not in body
    assert Organization.objects.get().industry == ""


def test_other_users_jobs_are_not_found(owner, outsider):
    client = Client()
    client.force_login(owner)
    upload(client)
    job = ImportJob.objects.get()
    other = Client()
    other.force_login(outsider)
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.post(f"/imports/{job.pk}/run/").status_code == 404


def test_bad_upload_is_a_form_error(owner):
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/imports/", {"file": SimpleUploadedFile("x.pdf", b"%PDF"), "kind": "organization"}
    )
    assert (
        response.status_code == 422 and "Upload a .csv or .xlsx file." in response.content.decode()
    )


def test_api_upload_patch_dry_run_run_and_poll(owner, django_capture_on_commit_callbacks):
    _, key = account_services.token_issue(user=owner, name="tests")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("orgs.xlsx", xlsx_bytes(ROWS)), "kind": "organization"},
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["columns"]["Company name"] == "name" and job["rows_total"] == 2
    patched = client.patch(
        f"/api/v1/imports/{job['id']}",
        {"duplicates": "skip", "columns": {"Company name": "name", "Industry": "industry"}},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["columns"]["Website"] == ""
    dry = client.post(f"/api/v1/imports/{job['id']}/dry-run")
    assert dry.status_code == 200 and dry.json()["dry_run"]["created"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/v1/imports/{job['id']}/run")
    assert started.status_code == 202
    polled = client.get(f"/api/v1/imports/{job['id']}").json()
    assert (polled["status"], polled["percent"], polled["report"]["created"]) == ("done", 100, 1)
    assert client.post(f"/api/v1/imports/{job['id']}/run").status_code == 409
    assert client.get("/api/v1/imports/fields/deal").status_code == 200
    assert client.get("/api/v1/imports/fields/nope").status_code == 404


def test_api_rejects_unknown_kind_and_needs_auth(owner):
    assert Client().get("/api/v1/imports").status_code == 401
    _, key = account_services.token_issue(user=owner, name="tests")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    response = client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n"), "kind": "nope"}
    )
    assert response.status_code == 422


def test_a_job_with_indexes_set_aside_says_so_until_they_are_built(owner):
    client = Client()
    client.force_login(owner)
    upload(client)
    job = ImportJob.objects.get()
    job.status, job.report = "running", {"rows": 10, "indexes_set_aside": {"x": "CREATE INDEX x"}}
    job.save()
    body = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"}).content
    assert "resume it to build them again" in body.decode()
    job.report = {"rows": 10}
    job.save()
    body = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"}).content
    assert "set aside" not in body.decode()


def test_a_run_with_every_row_in_says_it_is_building_indexes_and_summaries(owner):
    """The last phase of a large run (its indexes, the summary rebuild) takes minutes at a
    million rows, with the bar at 100 %: the page and the API say what is going on."""
    client = Client()
    client.force_login(owner)
    upload(client)
    job = ImportJob.objects.get()
    _, key = account_services.token_issue(user=owner, name="tests")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    said = "Building the indexes and the analytics summaries"
    for done, status, finishing in (
        (5, "running", False),
        (10, "running", True),
        (10, "done", False),
    ):
        job.rows_done, job.rows_total, job.status = done, 10, status
        job.save()
        body = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
        assert (said in body.content.decode()) is finishing
        assert api.get(f"/api/v1/imports/{job.pk}").json()["finishing"] is finishing
