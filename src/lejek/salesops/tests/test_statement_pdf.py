"""The statement as a PDF: its content and totals to the cent, Polish and Russian text, long
statements over several pages, the DRAFT mark, and who may download it (page and API)."""

import io
from decimal import Decimal as D

import pypdf
import pytest
from django.test import Client
from django.utils import translation

from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal
from lejek.salesops import statement_pdf, statements
from lejek.salesops.models import Statement
from lejek.salesops.tests.helpers import History, clock, month, pipeline, plan_for, t

pytestmark = pytest.mark.django_db

JAN = month("2025-01")


def pages_text(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def text_of(data: bytes) -> str:
    """All pages' text, with runs of white space (table cells wrap) as one space."""
    return " ".join(" ".join(pages_text(data)).split())


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def computed_statement(admin, manager, owner, titles=("Kowalski servers", "Acme renewal")):
    """Owner wins 7,000.45 and 5,000.10 in January: 12,000.55 counted on a 10 % cliff plan
    (target 10,000) → 1,200.055, to the cent 1,200.06; with 3,000 base pay, 4,200.06."""
    p = pipeline(admin)
    plan_for(admin, owner, name="Junior", tiers=[{"above": "1.5", "rate": "0.15"}])
    history = History(owner, p)
    deals = zip(titles, ("7000.45", "5000.10"), ("2025-01-10", "2025-01-20"), strict=True)
    for title, amount, won in deals:
        history.won(history.deal("2025-01-02", amount=D(amount), currency="USD", title=title), won)
    return statements.statement_compute(actor=manager, rep=owner, month=JAN)


def test_pdf_holds_the_statement_exactly(admin, manager, owner) -> None:
    s = computed_statement(admin, manager, owner)
    assert (s.revenue, s.commission, s.total_pay) == (D("12000.55"), D("1200.06"), D("4200.06"))
    data = statement_pdf.render(s)
    assert data.startswith(b"%PDF")
    text = text_of(data)
    for expected in (
        "Lejek",
        "Commission statement: Owner, 2025-01",
        "January 2025 (2025-01)",
        "Junior",
        "Kowalski servers",
        "Acme renewal",
        "2025-01-10",
        "7,000.45 USD",
        "5,000.10 USD",
        "12,000.55 USD",
        "1,200.06 USD",
        "3,000.00 USD",
        "4,200.06 USD",
        "target 10,000.00 USD",
        "rate 10.0 %",
        "15.0 % above 1.5× target",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_draft_is_marked_and_approved_is_not(admin, manager, owner) -> None:
    s = computed_statement(admin, manager, owner)
    draft = text_of(statement_pdf.render(s))
    assert "DRAFT" in draft and "Draft" in draft
    with clock(t("2025-02-03")):
        s = statements.statement_approve(actor=manager, statement=s, version=s.version)
    approved = text_of(statement_pdf.render(s))
    assert "DRAFT" not in approved and "7,000.45 USD" in approved
    assert "Approved by Manager on 2025-02-03" in approved
    assert "Commission (as approved)" in approved and "4,200.06 USD" in approved


def test_stale_draft_says_so(admin, manager, owner) -> None:
    """A draft whose deals changed lists them as they are now and says the figures are old."""
    s = computed_statement(admin, manager, owner)
    warning = "The deals changed since this draft was computed; recompute it before approving."
    assert warning not in text_of(statement_pdf.render(s))
    deal = Deal.objects.get(title="Kowalski servers")
    pipeline_services.deal_update(
        actor=owner, deal=deal, data={"title": "Nowak servers"}, version=deal.version
    )
    text = text_of(statement_pdf.render(s))
    assert warning in text and "DRAFT" in text
    assert "Nowak servers" in text and "Kowalski servers" not in text
    assert "12,000.55 USD" in text  # the figures as computed
    with translation.override("ru"):
        russian = text_of(statement_pdf.render(s))
    assert "Сделки изменились после расчёта этого черновика" in russian


def test_adjustment_lines_are_listed(admin, manager, owner) -> None:
    s = computed_statement(admin, manager, owner)
    s = statements.statement_approve(actor=manager, statement=s, version=s.version)
    deal = s.lines.get(deal_title="Kowalski servers").deal
    with clock(t("2025-02-05")):
        History(owner, deal.pipeline).reopen(deal, "2025-02-05")
        s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    assert s.lines.filter(is_adjustment=True).count() == 2
    text = text_of(statement_pdf.render(s))
    assert "Clawback: no longer won" in text and "-7,000.45" in text
    assert "Commission recalculated" in text and "-1,200.06" in text
    assert "Shaded lines are adjustments made after approval." in text
    # Below target now: nothing earned, 3,000.00 of base pay remains.
    assert "-1,200.06 USD" in text and "3,000.00 USD" in text


def test_polish_and_russian(admin, manager, owner) -> None:
    owner.first_name, owner.last_name = "Łukasz", "Żółć"
    owner.save()
    s = computed_statement(
        admin, manager, owner, titles=("Wdrożenie źródeł – Gdańsk", "Поставка серверов")
    )
    with translation.override("pl"):
        polish = text_of(statement_pdf.render(s))
    assert "Rozliczenie prowizji: Łukasz Żółć, 2025-01" in polish
    assert "Łączne wynagrodzenie" in polish and "4,200.06 USD" in polish
    assert "Wdrożenie źródeł – Gdańsk" in polish and "Поставка серверов" in polish
    with translation.override("ru"):
        russian = text_of(statement_pdf.render(s))
    assert "Расчёт комиссии: Łukasz Żółć, 2025-01" in russian
    assert "Итого к выплате" in russian and "Поставка серверов" in russian
    # Through the page, in the language the browser asks for (the middleware leaves it
    # active in this thread: the override puts the previous one back).
    with translation.override("en"):
        response = client_for(manager).get(
            f"/salesops/statements/{s.pk}/export.pdf", headers={"Accept-Language": "ru"}
        )
    assert response.status_code == 200
    assert "Итого к выплате" in text_of(response.content)


def long_statement(admin, manager, owner, count: int) -> Statement:
    """A draft of `count` deals of 100.01 USD won on 2025-01-15 (copies of one won deal)."""
    plan_for(admin, owner)
    if count:
        h = History(owner, pipeline(admin))
        deal = h.won(h.deal("2025-01-02", amount="100.01", currency="USD"), "2025-01-15")
        copies = []
        for n in range(count):
            copy = Deal.objects.get(pk=deal.pk)
            copy.pk = None
            copy.title = f"Bulk deal {n:03d}"
            copies.append(copy)
        Deal.objects.bulk_create(copies)
        deal.delete()
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    assert s.revenue == D("100.01") * count
    return s


def test_long_statement_breaks_pages_with_headings_and_numbers(admin, manager, owner) -> None:
    s = long_statement(admin, manager, owner, 200)
    pages = pages_text(statement_pdf.render(s))
    total = len(pages)
    assert total > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert "Won at" in page  # the table's heading row repeats
        assert "DRAFT" in page
    text = " ".join(pages)
    assert all(f"Bulk deal {n:03d}" in text for n in range(200))
    # Revenue; total pay (3,000 + 10 % of 20,002.00).
    assert "20,002.00 USD" in text and "5,000.20 USD" in text


def test_empty_statement(admin, manager, owner) -> None:
    text = text_of(statement_pdf.render(long_statement(admin, manager, owner, 0)))
    assert "No deals won this month." in text and "3,000.00 USD" in text


def test_page_route_and_api(api_as, admin, manager, owner, outsider) -> None:
    s = computed_statement(admin, manager, owner)
    response = client_for(owner).get(f"/salesops/statements/{s.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement-owner-2025-01.pdf"'
    assert response.content.startswith(b"%PDF")
    page = client_for(manager).get(f"/salesops/statements/{s.pk}/")
    assert f"/salesops/statements/{s.pk}/export.pdf".encode() in page.content
    # Someone who may not see the statement: 404 everywhere, in every format.
    for fmt in ("pdf", "csv", "xlsx"):
        url = f"/salesops/statements/{s.pk}/export.{fmt}"
        assert client_for(outsider).get(url).status_code == 404
        api = f"salesops/statements/{s.pk}/export"
        assert api_as(outsider).get(api, format=fmt).status_code == 404
    assert Client().get(f"/salesops/statements/{s.pk}/export.pdf").status_code == 302
    # An unknown format is refused.
    assert client_for(owner).get(f"/salesops/statements/{s.pk}/export.doc").status_code == 404
    refused = api_as(owner).get(f"salesops/statements/{s.pk}/export", format="doc")
    assert refused.status_code == 422 and "format" in refused.json()["errors"]
    assert api_as(owner).get(f"salesops/statements/{s.pk}/export").status_code == 422
    assert api_as(owner).get("salesops/statements/999999/export", format="pdf").status_code == 404
    assert api_as(None).get(f"salesops/statements/{s.pk}/export", format="pdf").status_code == 401
    # The API answers every format.
    pdf = api_as(owner).get(f"salesops/statements/{s.pk}/export", format="pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "4,200.06 USD" in text_of(pdf.content)
    csv = api_as(manager).get(f"salesops/statements/{s.pk}/export", format="csv")
    assert csv.status_code == 200 and "4200.06" in b"".join(csv.streaming_content).decode()
    xlsx = api_as(manager).get(f"salesops/statements/{s.pk}/export", format="xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
