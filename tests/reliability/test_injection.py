"""Injection corpus: hostile text in every text field never runs in a page, and exports are inert.

Each payload is stored through the services in the text fields of an
organization, a person, a lead, a deal and its activities, then every page and
partial that shows them is rendered: the raw payload must never appear (only
its escaped form), and a link built from a stored web address is never a
`javascript:` URL. Exports of the lists hold no cell a spreadsheet would run.
"""

import csv
import io

import pytest
from django.test import Client

from lejek.activities import services as activity_services
from lejek.contacts import services as contact_services
from lejek.leads import services as lead_services
from lejek.pipelines import services as pipeline_services

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert(2)>',
    "'><svg/onload=alert(3)>",
    "</textarea><script>alert(4)</script>",
    "</script><script>alert(5)</script>",
]
# What must never reach a page unescaped: the markup inside each payload.
MARKERS = ["<script>alert(", "<img src=x onerror", "<svg/onload", "</textarea><script>"]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.fixture
def hostile(admin):
    pipeline = pipeline_services.pipeline_create(actor=admin, template="seven_stage")
    records = []
    for i, text in enumerate(PAYLOADS):
        org = contact_services.organization_create(
            actor=admin,
            data={
                "name": f"Org {i} {text}",
                "industry": text[:100],
                "city": text[:100],
                "address": text,
                "website": "javascript:alert(6)",
            },
        )
        person = contact_services.person_create(
            actor=admin,
            data={
                "last_name": text[:100],
                "first_name": "P",
                "job_title": text,
                "organization_id": org.pk,
            },
        )
        lead = lead_services.lead_create(
            actor=admin,
            data={"last_name": text[:100], "company_name": text, "need": text, "campaign": text},
        )
        deal = pipeline_services.deal_create(
            actor=admin,
            data={
                "title": f"Deal {i} {text}",
                "pipeline_id": pipeline.pk,
                "organization_id": org.pk,
                "next_step": text,
            },
        )
        for kind in ("note", "call", "task"):
            activity_services.activity_create(
                actor=admin,
                data={"kind": kind, "subject": text, "body": text, "deal_id": deal.pk},
            )
        records.append((org, person, lead, deal))
    return pipeline, records


def pages(pipeline, records) -> list[str]:
    urls = [
        f"/pipelines/board/{pipeline.pk}/",
        "/pipelines/deals/",
        "/contacts/people/",
        "/contacts/organizations/",
        "/leads/",
        "/activities/",
        "/activities/my-day/",
        "/search/?q=Org",
        "/search/?q=Deal",
        "/search/?q=" + PAYLOADS[0],
        "/analytics/",
    ]
    for org, person, lead, deal in records:
        urls += [
            f"/pipelines/deals/{deal.pk}/",
            f"/contacts/people/{person.pk}/",
            f"/contacts/organizations/{org.pk}/",
            f"/leads/{lead.pk}/",
            f"/activities/panel/deal/{deal.pk}/",
            f"/activities/panel/deal/{deal.pk}/timeline/",
            f"/activities/panel/organization/{org.pk}/timeline/",
        ]
    return urls


def test_no_payload_is_rendered_unescaped(admin, hostile):
    pipeline, records = hostile
    client = Client()
    client.force_login(admin)
    shown_escaped = 0
    for url in pages(pipeline, records):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)
            html = response.content.decode()
            for marker in MARKERS:
                assert marker not in html, (url, headers, marker)
            assert 'href="javascript:' not in html.lower(), url
            shown_escaped += html.count("&lt;script&gt;alert(") + html.count("&lt;img src=x")
    assert shown_escaped > 0  # the hostile text was on the pages, escaped


@pytest.mark.parametrize(
    "path", ["/pipelines/deals/", "/contacts/organizations/", "/contacts/people/", "/leads/"]
)
def test_exports_hold_no_formula(admin, path):
    pipeline = pipeline_services.pipeline_create(actor=admin, template="seven_stage")
    for text in FORMULAS:
        org = contact_services.organization_create(actor=admin, data={"name": text, "city": text})
        contact_services.person_create(
            actor=admin, data={"last_name": text, "job_title": text, "organization_id": org.pk}
        )
        lead_services.lead_create(actor=admin, data={"last_name": text, "company_name": text})
        pipeline_services.deal_create(
            actor=admin,
            data={"title": text, "pipeline_id": pipeline.pk, "organization_id": org.pk},
        )
    client = Client()
    client.force_login(admin)
    response = client.get(path, {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.lstrip("'").startswith(("=", "+", "@")) for cell in cells)  # the text is there
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path, cell)
        if cell.startswith("-"):
            # A minus sign is only left alone on a plain number.
            float(cell.replace(",", ""))
