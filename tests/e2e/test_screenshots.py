"""Screenshots of the demo at 1280×800: the board, a deal page and my day, as a manager sees them.

Saved under artifacts/screenshots/ (not in git); `docs/screenshots/` holds a
copy of a recent set, which the README shows.
"""

from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from lejek.accounts.models import User
from lejek.demo.generate import DEMO_LOGINS, generate
from lejek.pipelines.models import Deal
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_pipeline_board import log_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


def test_demo_screenshots(page: Page, live_server: Any, screenshot_dir: Path) -> None:
    generate(deals=1500, seed=1, parallel=False)
    username, password, _ = next(login for login in DEMO_LOGINS if login[2] == "manager")
    manager = User.objects.get(username=username)
    base = live_server.url
    log_in(page, base, username, password)

    team_deals = Deal.objects.visible_to(manager).filter(status="open")
    busiest = team_deals.values("pipeline_id").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None
    deal = (
        team_deals.filter(pipeline_id=busiest["pipeline_id"], amount__isnull=False)
        .order_by("-amount", "id")
        .first()
    )
    assert deal is not None
    page.goto(f"{base}/pipelines/board/{deal.pipeline_id}/")
    expect(page.locator(".board-column").first).to_be_visible()
    expect(page.locator(".deal-card").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "demo-board.png"))

    page.goto(f"{base}/pipelines/deals/{deal.pk}/")
    expect(page.get_by_text(deal.title).first).to_be_visible()

    page.wait_for_load_state("networkidle")  # the timeline comes in through htmx
    page.screenshot(path=str(screenshot_dir / "demo-deal.png"))

    page.goto(f"{base}/activities/my-day/")
    expect(page.locator("main h1, main h2").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "demo-my-day.png"))
    for name in ("demo-board.png", "demo-deal.png", "demo-my-day.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000
