"""A realistic messy Pipedrive-style export: the exact report, and a re-run that changes nothing."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lejek.core.models import AuditEntry
from lejek.dataio import importer
from lejek.dataio.models import ExternalId, ImportJob
from lejek.dataio.tests.helpers import csv_bytes
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, StageChange, StatusChange

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")

HEADER = [
    "Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage",
    "Deal - Status", "Deal - Organization", "Deal - Deal created", "Deal - Won time",
    "Deal - Expected close date", "Deal - Owner",
]  # fmt: skip
FORMULA = '=HYPERLINK("http://evil.example","click")'
MESSY = [
    HEADER,
    [
        "D-1",
        "Łódź rollout",
        "1 234,50",
        "PLN",
        "Qualified",
        "open",
        "Acme",
        "05.03.2024",
        "",
        "2024-06-30",
        "admin@example.com",
    ],
    [
        "D-2",
        FORMULA,
        "$1,234.50",
        "",
        "Product demo",
        "open",
        "Beta",
        "2024-03-06 14:30",
        "",
        "",
        "",
    ],
    ["", "", "", "", "", "", "", "", "", "", ""],
    [
        "D-3",
        "Big one",
        "1.234.567,89 €",
        "",
        "Final call",
        "won",
        "Acme",
        "03/25/2024",
        "2024-04-02 10:00",
        "",
        "",
    ],
    ["D-4", "Bad amount", "12abc", "PLN", "Qualified", "open", "", "2024-03-07", "", "", ""],
    ["D-5", "Bad date", "100", "", "Qualified", "open", "", "2024-02-30", "", "", ""],
    [
        "D-1",
        "Łódź rollout",
        "1 234,50",
        "PLN",
        "Qualified",
        "open",
        "Acme",
        "05.03.2024",
        "",
        "2024-06-30",
        "",
    ],
    ["", "Nameless stage", "500", "", "Nowhere", "open", "", "", "", "", ""],
    ["D-6", "", "500", "", "", "", "", "", "", "", ""],
    [
        "D-7",
        "Kazan deal",
        "1 234,50 руб.",
        "",
        "Discovery call",
        "open",
        "Gamma",
        "04/01/2024",
        "",
        "",
        "",
    ],
    [
        "D-8",
        "Lost one",
        "2,500",
        "EUR",
        "Product demo",
        "lost",
        "Beta",
        "2024-03-10",
        "",
        "2024-04-15",
        "",
    ],
    ["D-9", "Mismatch", "100 PLN", "EUR", "Qualified", "open", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", ""],
]


@pytest.fixture
def pipeline(admin):
    return pipeline_services.pipeline_create(actor=admin, template="probability_weighted")


def _import(admin, name="messy.csv"):
    job = importer.job_create(
        actor=admin, kind="deal", filename=name, data=csv_bytes(MESSY), source="pipedrive"
    )
    return importer.run(job_id=job.pk)


def expected_errors(pipeline):
    return [
        {"row": 6, "field": "amount", "column": "Deal - Value",
         "message": "'12abc' is not a number."},
        {"row": 7, "field": "created_at", "column": "Deal - Deal created",
         "message": "'2024-02-30' is not a valid date."},
        {"row": 9, "field": "stage", "column": "Deal - Stage",
         "message": f"No stage 'Nowhere' in the pipeline '{pipeline.name}'."},
        {"row": 10, "field": "title", "column": "Deal - Title", "message": "Title is required."},
        {"row": 13, "field": "currency", "column": "Deal - Currency",
         "message": "The amount is in PLN but the currency says EUR."},
    ]  # fmt: skip


def test_mapping_is_suggested_from_pipedrive_headers(admin, pipeline):
    job = importer.job_create(actor=admin, kind="deal", filename="m.csv", data=csv_bytes(MESSY))
    assert job.columns == {
        "Deal - ID": "external_id",
        "Deal - Title": "title",
        "Deal - Value": "amount",
        "Deal - Currency": "currency",
        "Deal - Stage": "stage",
        "Deal - Status": "status",
        "Deal - Organization": "organization",
        "Deal - Deal created": "created_at",
        "Deal - Won time": "closed_at",
        "Deal - Expected close date": "expected_close_date",
        "Deal - Owner": "owner",
    }
    assert job.rows_total == 13


def test_messy_file_gives_the_exact_report(admin, pipeline):
    job = _import(admin)
    assert job.status == ImportJob.Status.DONE
    report = {k: v for k, v in job.report.items() if k != "seconds"}
    assert report == {
        "rows": 13,
        "created": 5,
        "updated": 0,
        "unchanged": 1,
        "skipped": 0,
        "rejected": 5,
        "blank": 2,
        "errors": expected_errors(pipeline),
        "skipped_rows": [],
    }
    deals = {d.title: d for d in Deal.objects.all()}
    assert sorted(deals) == sorted(["Łódź rollout", FORMULA, "Big one", "Kazan deal", "Lost one"])
    lodz = deals["Łódź rollout"]
    assert (lodz.amount, lodz.currency, lodz.stage.name) == (Decimal("1234.50"), "PLN", "Qualified")
    assert lodz.created_at == datetime.datetime(2024, 3, 5, tzinfo=WARSAW)
    assert lodz.expected_close_date == datetime.date(2024, 6, 30)
    assert lodz.organization.name == "Acme"
    formula = deals[FORMULA]  # stored as the text it was, never evaluated
    assert (formula.amount, formula.currency) == (Decimal("1234.50"), "USD")
    big = deals["Big one"]
    assert (big.amount, big.currency, big.status) == (Decimal("1234567.89"), "EUR", "won")
    assert big.created_at == datetime.datetime(2024, 3, 25, tzinfo=WARSAW)  # month-first column
    assert big.closed_at == datetime.datetime(2024, 4, 2, 10, tzinfo=WARSAW)
    kazan = deals["Kazan deal"]
    assert (kazan.amount, kazan.currency) == (Decimal("1234.50"), "RUB")
    assert kazan.created_at == datetime.datetime(2024, 4, 1, tzinfo=WARSAW)
    lost = deals["Lost one"]
    assert (lost.amount, lost.status) == (Decimal("2500"), "lost")
    assert lost.closed_at == datetime.datetime(2024, 4, 15, 12, tzinfo=WARSAW)
    assert StatusChange.objects.count() == 2
    assert StageChange.objects.filter(reason="imported").count() == 5
    assert ExternalId.objects.filter(kind="deal", source="pipedrive").count() == 5


def test_rerunning_the_file_changes_nothing(admin, pipeline):
    _import(admin)
    counts = [m.objects.count() for m in (Deal, StageChange, StatusChange, AuditEntry, ExternalId)]
    versions = dict(Deal.objects.values_list("pk", "version"))
    again = _import(admin, "messy-again.csv")
    assert again.report["created"] == again.report["updated"] == 0
    assert again.report["unchanged"] == 6
    assert again.report["errors"] == expected_errors(pipeline)
    assert [
        m.objects.count() for m in (Deal, StageChange, StatusChange, AuditEntry, ExternalId)
    ] == counts
    assert dict(Deal.objects.values_list("pk", "version")) == versions


def test_dry_run_reports_the_same_and_writes_nothing(admin, pipeline):
    job = importer.job_create(actor=admin, kind="deal", filename="m.csv", data=csv_bytes(MESSY))
    report = importer.dry_run(job=job)
    assert (report["created"], report["unchanged"], report["rejected"], report["blank"]) == (
        5,
        1,
        5,
        2,
    )
    assert report["errors"] == expected_errors(pipeline)
    assert Deal.objects.count() == 0 and ExternalId.objects.count() == 0
    job.refresh_from_db()
    assert job.dry_run == report and job.rows_done == 0
