"""In a real browser: the rep scorecard with its quadrant chart, an approved commission
statement, and the weekly pipeline audit queue with a review recorded.
"""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User
from tests.e2e.conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def world() -> dict[str, Any]:
    from lejek.pipelines import services as pipelines
    from lejek.salesops import services

    team = Team.objects.create(name="Team Kraków")
    admin = account_services.user_create(
        username="sally",
        password="sally-secret-pass",
        role=User.Role.ADMIN,
        team=None,
        first_name="Sally",
    )
    manager = account_services.user_create(
        username="mona",
        password="mona-secret-pass",
        role=User.Role.MANAGER,
        team=team,
        first_name="Mona",
    )
    rep = account_services.user_create(
        username="rick",
        password="rick-secret-pass",
        role=User.Role.REP,
        team=team,
        first_name="Rick",
    )
    pipeline = pipelines.pipeline_create(actor=admin, template="probability_weighted")
    stages = list(pipeline.stages.active().order_by("order"))
    today = timezone.localdate()
    this_month, last_month = _month_start(today), _month_start(today, 1)
    for start in (last_month, this_month):
        services.quota_create(
            actor=manager, user=rep, kind="month", period_start=start, amount=Decimal(10000)
        )
    # Nothing won last month (0 %), 12,000 this month (120 %): a rising star.
    won = pipelines.deal_create(
        actor=rep,
        data={
            "title": "Clinic rollout",
            "pipeline_id": pipeline.pk,
            "stage_id": stages[1].pk,
            "amount": Decimal("12000"),
            "currency": "USD",
        },
    )
    pipelines.deal_mark_won(actor=rep, deal=won, version=won.version)
    pipelines.deal_create(
        actor=rep,
        data={
            "title": "Scanner fleet",
            "pipeline_id": pipeline.pk,
            "stage_id": stages[2].pk,
            "currency": "USD",
            "expected_close_date": today - datetime.timedelta(days=3),
        },
    )
    plan = services.plan_create(
        actor=admin,
        data={
            "name": "Junior",
            "base_pay": Decimal(3000),
            "rate": Decimal("0.1"),
            "target": Decimal(10000),
            "kind": "cliff",
        },
    )
    services.plan_assign(actor=admin, user=rep, plan=plan)
    statement = services.statement_compute(actor=manager, rep=rep, month=this_month)
    services.statement_approve(actor=manager, statement=statement, version=statement.version)
    return {"rep": rep, "statement": statement, "month": this_month}


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "mona")
    page.fill("#id_password", "mona-secret-pass")
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(f"{base}/login/")


def test_scorecard_statement_and_audit_queue(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    log_in(page, base)
    month = f"{world['month']:%Y-%m}"

    page.goto(f"{base}/salesops/?start={month}&end={month}")
    expect(page.locator("#scorecard-table tbody tr").filter(has_text="Rick")).to_have_count(1)
    chart = page.locator('[data-figure="figure-quadrants"]')
    expect(chart.locator(".main-svg").first).to_be_visible()
    page.get_by_role("link", name="Rick").click()
    expect(page.locator("#rep-metrics")).to_contain_text("Quota attainment")
    expect(page.locator("#rep-metrics")).to_contain_text("120.0 %")

    page.goto(f"{base}/salesops/statements/?month={month}")
    page.get_by_role("link", name="Rick").click()
    expect(page.locator("#statement-status")).to_have_text("Approved")
    expect(page.locator("#statement-lines")).to_contain_text("Clinic rollout")
    expect(page.locator("#statement-totals")).to_contain_text("1,200.00")
    expect(page.get_by_role("button", name="Approve and freeze")).to_have_count(0)

    page.goto(f"{base}/salesops/audit/")
    row = page.locator("#audit-queue tbody tr").filter(has_text="Scanner fleet")
    expect(row).to_contain_text("Close date passed")
    expect(row).to_contain_text("Missing amount")
    expect(page.locator("#audit-progress")).to_have_text("0 of 1 reviewed")
    row.get_by_label("Still qualified?").select_option("yes")
    row.get_by_label("Next action").fill("Ask for the budget")
    row.get_by_role("button", name="Record").click()
    expect(row).to_contain_text("Still qualified · Ask for the budget")
    page.reload()
    expect(page.locator("#audit-progress")).to_have_text("1 of 1 reviewed")
