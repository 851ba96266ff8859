"""In a real browser: the forecast's methods side by side, the fan chart, a run-rate input."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User
from lejek.pipelines import services
from lejek.pipelines.models import Pipeline
from tests.e2e.conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin() -> User:
    team = Team.objects.create(name="Team Gdańsk")
    return account_services.user_create(
        username="fiona",
        password="fiona-secret-pass",
        role=User.Role.ADMIN,
        team=team,
        first_name="Fiona",
        last_name="Forecast",
    )


@pytest.fixture
def pipeline(admin: User) -> Pipeline:
    pipeline = services.pipeline_create(actor=admin, template="probability_weighted")
    stages = list(pipeline.stages.active().order_by("order"))
    close = timezone.localdate() + datetime.timedelta(days=20)
    for title, amount, stage in (("Clinic rollout", "24000", 1), ("Scanner fleet", "12900", 3)):
        services.deal_create(
            actor=admin,
            data={
                "title": title,
                "pipeline_id": pipeline.pk,
                "stage_id": stages[stage].pk,
                "amount": Decimal(amount),
                "currency": "USD",
                "expected_close_date": close,
            },
        )
    return pipeline


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "fiona")
    page.fill("#id_password", "fiona-secret-pass")
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(f"{base}/login/")


def run_rate_cells(page: Page) -> Any:
    # The methods table: Month, Stage-weighted, Commit, Best case, Historical run-rate, …
    return page.locator("#table-methods tbody tr td:nth-child(5)")


def test_methods_side_by_side_with_the_fan_chart_and_an_edited_run_rate(
    page: Page, live_server: Any, admin: User, pipeline: Pipeline
) -> None:
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/forecast/?horizon=3")

    header = page.locator("#table-methods thead th")
    for label in ("Stage-weighted", "Commit", "Historical run-rate", "Cycle age", "P50"):
        expect(header.filter(has_text=label)).to_have_count(1)
    expect(page.locator("#table-methods tbody tr")).to_have_count(3)
    # Plotly drew the fan chart: its SVG and the P10–P90 band's legend entry.
    fan = page.locator('[data-figure="figure-fan"]')
    expect(fan.locator(".main-svg").first).to_be_visible()
    expect(fan.locator(".legendtext").filter(has_text="P90")).to_have_count(1)

    # Seed 002's run-rate: 1,000,000 a month + 5 % growth + 5 new reps × 1 deal × 5,000.
    page.fill("#id_average_revenue", "1000000")
    page.fill("#id_growth_rate", "0.05")
    page.fill("#id_new_reps", "5")
    page.fill("#id_ramp_deals", "1")
    page.fill("#id_average_deal_value", "5000")
    page.locator("#id_average_deal_value").dispatch_event("change")
    expect(run_rate_cells(page).first).to_have_text("1075000.00")
    expect(page).to_have_url(
        f"{base}/forecast/?horizon=3&group_by=team&pipeline=&team=&owner="
        "&average_revenue=1000000&growth_rate=0.05&new_reps=5&ramp_deals=1"
        "&average_deal_value=5000"
    )
    expect(fan.locator(".main-svg").first).to_be_visible()  # redrawn after the swap

    # A bad input is refused beside its field; the other numbers stay as they were.
    page.fill("#id_new_reps", "-3")
    page.locator("#id_new_reps").dispatch_event("change")
    expect(page.locator('[data-error-for="new_reps"]')).to_be_visible()
    expect(run_rate_cells(page).first).to_have_text("1075000.00")
