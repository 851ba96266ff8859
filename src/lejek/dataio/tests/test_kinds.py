"""Organizations, people, leads and activities through the importer; header suggestions."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.dataio import fields, importer
from lejek.dataio.tests.helpers import run_file
from lejek.leads.models import Lead
from lejek.pipelines import services as pipeline_services

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def test_hubspot_and_salesforce_headers_are_recognised():
    hubspot = ["Record ID", "Deal Name", "Amount", "Close Date", "Deal Stage", "Pipeline",
               "Create Date", "Deal owner"]  # fmt: skip
    assert fields.suggest("deal", hubspot) == {
        "Record ID": "external_id", "Deal Name": "title", "Amount": "amount",
        "Close Date": "expected_close_date", "Deal Stage": "stage", "Pipeline": "pipeline",
        "Create Date": "created_at", "Deal owner": "owner",
    }  # fmt: skip
    salesforce = [
        "Opportunity ID", "Opportunity Name", "Account Name", "Amount",
        "Opportunity Currency", "Stage", "Close Date", "Created Date", "Lead Source",
    ]  # fmt: skip
    assert fields.suggest("deal", salesforce) == {
        "Opportunity ID": "external_id", "Opportunity Name": "title",
        "Account Name": "organization", "Amount": "amount", "Opportunity Currency": "currency",
        "Stage": "stage", "Close Date": "expected_close_date", "Created Date": "created_at",
        "Lead Source": "source",
    }  # fmt: skip
    people = ["Person - Name", "Person - Email", "Person - Organization", "Notes"]
    assert fields.suggest("person", people) == {
        "Person - Name": "full_name", "Person - Email": "email",
        "Person - Organization": "organization", "Notes": "",
    }  # fmt: skip


def test_people_link_to_organizations_and_match_by_email(admin):
    rows = [
        ["Person - ID", "Person - Name", "Person - Email", "Person - Organization", "Created"],
        ["P-1", "Anna Maria Nowak", "ANNA@acme.example", "Acme", "01.02.2024 09:30"],
        ["P-2", "Иван Петров", "ivan@gamma.example", "Gamma", "2024-02-02"],
        ["", "Anna Nowak", "anna@acme.example", "Acme", ""],  # same email: a duplicate
        ["P-4", "Bad Email", "not-an-email", "", ""],
    ]
    job = run_file(admin, "person", rows, duplicates="skip")
    r = job.report
    assert (r["created"], r["skipped"], r["rejected"]) == (2, 1, 1)
    anna = Person.objects.get(email="anna@acme.example")
    assert r["skipped_rows"] == [{"row": 4, "reason": f"Skipped: duplicate of person #{anna.pk}."}]
    assert r["errors"] == [{"row": 5, "field": "email", "column": "Person - Email",
                            "message": "'not-an-email' is not an email address."}]  # fmt: skip
    assert (anna.first_name, anna.last_name, anna.organization.name) == (
        "Anna Maria",
        "Nowak",
        "Acme",
    )
    assert anna.created_at == datetime.datetime(2024, 2, 1, 9, 30, tzinfo=WARSAW)
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["Acme", "Gamma"]


def test_leads_and_activities_with_links_by_external_id(admin):
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    run_file(admin, "lead", [
        ["Lead ID", "First name", "Last name", "Email", "Company", "Lead Source", "Lead Status"],
        ["L-1", "Jan", "Kowalski", "jan@firma.pl", "Firma", "Web form", "working"],
        ["L-2", "", "", "", "", "Referral", "bogus"],
    ], source="crm")  # fmt: skip
    lead = Lead.objects.get()
    assert (lead.source, lead.status, lead.company_name) == ("web_form", "working", "Firma")
    run_file(admin, "deal", [["Deal ID", "Title"], ["D-1", "Pilot"]], source="crm")
    job = run_file(admin, "activity", [
        ["Activity ID", "Type", "Subject", "Deal ID", "Lead ID", "Due date", "Done"],
        ["A-1", "Phone call", '=HYPERLINK("x")', "D-1", "", "2024-03-01 10:00", "yes"],
        ["A-2", "Meeting", "Kick-off", "", "L-1", "2024-03-02 11:00", "no"],
        ["A-3", "Telepathy", "?", "D-1", "", "", ""],
        ["A-4", "Email", "Hello", "D-404", "", "", ""],
    ], source="crm")  # fmt: skip
    assert (job.report["created"], job.report["rejected"]) == (2, 2)
    assert [e["field"] for e in job.report["errors"]] == ["kind", "deal"]
    call = Activity.objects.get(kind="call")
    assert call.subject == '=HYPERLINK("x")' and call.direction == "outbound"
    assert call.done_at == datetime.datetime(2024, 3, 1, 10, tzinfo=WARSAW)
    assert Activity.objects.get(kind="meeting").lead == lead


def test_xlsx_formula_cells_are_kept_as_text(admin):
    job = run_file(admin, "organization", [
        ["Name", "Website", "Employees"],
        ['=HYPERLINK("http://evil.example","Evil")', "evil.example", "1 200"],
        ["Sum Corp", "", "=SUM(A1:A3)"],
    ], filename="orgs.xlsx")  # fmt: skip
    assert job.report["created"] == 1
    assert job.report["errors"][0]["field"] == "employees"
    org = Organization.objects.get()
    assert org.name == '=HYPERLINK("http://evil.example","Evil")' and org.employees == 1200


def test_saved_mapping_applies_to_a_new_file(admin):
    mapping = importer.mapping_save(
        actor=admin,
        name="Odd",
        kind="organization",
        columns={"Firma": "name", "Branża": "industry"},
    )
    job = importer.job_create(
        actor=admin, kind="organization", filename="o.csv", data="Firma;Branża\nX;IT\n".encode()
    )
    assert job.columns == {"Firma": "", "Branża": ""}
    job = importer.job_configure(actor=admin, job=job, columns=importer.mapping_apply(job, mapping))
    done = importer.run(job_id=job.pk)
    assert done.report["created"] == 1
    assert Organization.objects.get().industry == "IT"
