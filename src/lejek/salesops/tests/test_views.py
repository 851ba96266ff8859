"""Pages: each opens, forms act through the services, permissions hold, exports are safe."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lejek.salesops import quotas
from lejek.salesops.models import DealReview, Quota, Statement
from lejek.salesops.tests.helpers import History, month, pipeline, plan_for, won_deal

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_open(manager, owner) -> None:
    for name in (
        "",
        "quotas/",
        "statements/",
        "audit/",
        "planner/",
        "planner/?target=40000&weeks=13",
    ):
        for user in (manager, owner):
            response = client_for(user).get(f"/salesops/{name}")
            assert response.status_code == 200, (name, user)
    assert client_for(manager).get(f"/salesops/reps/{owner.pk}/").status_code == 200
    assert Client().get("/salesops/").status_code == 302


def test_bad_period_and_planner_input_are_422(manager) -> None:
    assert client_for(manager).get("/salesops/?start=2025-13").status_code == 422
    assert client_for(manager).get("/salesops/planner/?target=-5").status_code == 422


def test_rep_card_hidden_from_other_team(owner, outsider) -> None:
    assert client_for(outsider).get(f"/salesops/reps/{owner.pk}/").status_code == 404


def test_quota_form_and_csv_upload(manager, owner, outsider) -> None:
    c = client_for(manager)
    response = c.post(
        "/salesops/quotas/", {"who": f"u{owner.pk}", "period": "2025-Q1", "amount": "30000"}
    )
    assert response.status_code == 302
    assert Quota.objects.get().kind == "quarter"
    bad = c.post(
        "/salesops/quotas/", {"who": f"u{outsider.pk}", "period": "2025-01", "amount": "1"}
    )
    assert bad.status_code == 422
    upload = SimpleUploadedFile("q.csv", b"user,period,amount\nowner,2025-01,10000\n", "text/csv")
    assert c.post("/salesops/quotas/import/", {"file": upload}).status_code == 302
    assert Quota.objects.count() == 2
    q = Quota.objects.get(kind="month")
    assert client_for(owner).post(f"/salesops/quotas/{q.pk}/delete/").status_code == 403
    assert c.post(f"/salesops/quotas/{q.pk}/delete/").status_code == 302
    assert Quota.objects.count() == 1


def test_statement_compute_approve_export(admin, manager, owner) -> None:
    p = pipeline(admin)
    plan_for(admin, owner)
    won_deal(owner, p, 12000, "2025-01-02", "2025-01-10")
    d = History(owner, p).deal("2025-01-02", amount=100, title='=HYPERLINK("x")')
    History(owner, p).won(d, "2025-01-11")
    c = client_for(manager)
    assert c.post("/salesops/statements/", {"month": "2025-01"}).status_code == 302
    s = Statement.objects.get()
    page = c.get(f"/salesops/statements/{s.pk}/")
    assert page.status_code == 200 and b"Approve and freeze" in page.content
    assert (
        b"Approve and freeze" not in client_for(owner).get(f"/salesops/statements/{s.pk}/").content
    )
    assert (
        c.post(f"/salesops/statements/{s.pk}/approve/", {"version": s.version}).status_code == 302
    )
    s.refresh_from_db()
    assert s.is_frozen and s.commission == D("1210.00")
    csv = b"".join(c.get(f"/salesops/statements/{s.pk}/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in csv and "Total pay" in csv and "4210.00" in csv
    xlsx = c.get(f"/salesops/statements/{s.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert c.get(f"/salesops/statements/{s.pk}/export.ods").status_code == 404
    assert (
        c.post(f"/salesops/statements/{s.pk}/approve/", {"version": s.version}).status_code == 409
    )


def test_a_stale_draft_warns_and_is_not_approved(admin, manager, owner) -> None:
    """The page lists the deals as they are now; when they changed since the draft was
    computed it says so, offers no approval, and an approval posted anyway is refused."""
    from lejek.pipelines import services as pipeline_services
    from lejek.salesops.models import StatementLine

    p = pipeline(admin)
    plan_for(admin, owner)
    deal = won_deal(owner, p, 12000, "2025-01-02", "2025-01-10")
    c = client_for(manager)
    assert c.post("/salesops/statements/", {"month": "2025-01"}).status_code == 302
    s = Statement.objects.get()
    warning = b"The deals changed since this draft was computed"
    page = c.get(f"/salesops/statements/{s.pk}/")
    assert b"Deal 12000" in page.content and warning not in page.content
    assert b"Approve and freeze" in page.content

    deal.refresh_from_db()
    pipeline_services.deal_update(
        actor=owner, deal=deal, data={"title": "Clinic rollout"}, version=deal.version
    )
    page = c.get(f"/salesops/statements/{s.pk}/")
    assert b"Clinic rollout" in page.content and b"Deal 12000" not in page.content
    assert warning in page.content and b"Approve and freeze" not in page.content
    refused = c.post(f"/salesops/statements/{s.pk}/approve/", {"version": s.version})
    assert refused.status_code == 409
    assert b"recompute it and review it before approving" in refused.content
    s.refresh_from_db()
    assert s.status == Statement.Status.DRAFT and StatementLine.objects.count() == 0
    polish = c.get(f"/salesops/statements/{s.pk}/", headers={"Accept-Language": "pl"})
    assert "Transakcje zmieniły się od obliczenia tej wersji roboczej" in polish.content.decode()

    assert c.post("/salesops/statements/", {"month": "2025-01"}).status_code == 302
    s.refresh_from_db()
    page = c.get(f"/salesops/statements/{s.pk}/")
    assert warning not in page.content and b"Approve and freeze" in page.content
    assert (
        c.post(f"/salesops/statements/{s.pk}/approve/", {"version": s.version}).status_code == 302
    )
    assert list(StatementLine.objects.values_list("deal_title", "revenue")) == [
        ("Clinic rollout", D(12000))
    ]


def test_audit_review_form(admin, manager, owner) -> None:
    p = pipeline(admin)
    deal = History(owner, p).deal("2025-01-02", amount=100, title="Queue me")
    c = client_for(manager)
    page = c.get("/salesops/audit/")
    assert b"Queue me" in page.content and b"0 of 1 reviewed" in page.content
    response = c.post(
        f"/salesops/audit/deals/{deal.pk}/review/",
        {"still_qualified": "no", "next_action": "Drop it"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and b"Not qualified" in response.content
    assert DealReview.objects.get().still_qualified is False
    assert b"1 of 1 reviewed" in c.get("/salesops/audit/").content
    assert (
        c.post(f"/salesops/audit/deals/{deal.pk}/review/", {"still_qualified": "maybe"}).status_code
        == 422
    )


def test_scorecard_page_shows_quadrants(admin, manager, owner) -> None:
    p = pipeline(admin)
    for m in ("2025-01", "2025-02"):
        quotas.quota_create(
            actor=manager, user=owner, kind="month", period_start=month(m), amount=D(1000)
        )
    won_deal(owner, p, 500, "2025-01-02", "2025-01-10")
    won_deal(owner, p, 1500, "2025-02-02", "2025-02-10")
    page = client_for(manager).get("/salesops/?start=2025-02&end=2025-02")
    assert page.status_code == 200
    assert b"figure-quadrants" in page.content and b"Rising stars" in page.content
