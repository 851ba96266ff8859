"""In a real browser: a prospect books a slot on a rep's public page, then the rep sees the
meeting on "My day".

The server's clock runs from 09:00 today: the slots left today and the meetings on "My day"
would otherwise depend on the hour the suite runs (none are left just before midnight).
"""

import datetime
from collections.abc import Iterator
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User
from lejek.activities.models import Activity
from lejek.pipelines import services as pipeline_services
from tests.e2e.conftest import needs_chromium

pytestmark = [
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def morning() -> Iterator[None]:
    """`timezone.now()` ticks on from 09:00 local time today (the live server shares it)."""
    real_now = timezone.now
    started = real_now()
    nine = datetime.datetime.combine(timezone.localdate(), datetime.time(9, 0))
    anchor = timezone.make_aware(nine)
    with mock.patch("django.utils.timezone.now", lambda: anchor + (real_now() - started)):
        yield


def test_prospect_books_and_rep_sees_the_meeting_on_my_day(
    page: Page, live_server, morning
) -> None:  # type: ignore[no-untyped-def]
    from lejek.customers.models import BookingPage
    from lejek.customers.slots import hours_set

    team = Team.objects.create(name="Team Gdańsk")
    rep = account_services.user_create(
        username="rita",
        password="rita-secret-pass",
        role=User.Role.REP,
        team=team,
        first_name="Rita",
        last_name="Rep",
        email="rita@example.com",
    )
    admin = account_services.user_create(
        username="boss", password="boss-secret-pass", role=User.Role.ADMIN
    )
    pipeline = pipeline_services.pipeline_create(actor=admin, template="outbound_b2b")
    # Open all day, every day, in 15-minute slots with no notice: the first slot is today.
    hours_set(user=rep, rows=[(d, datetime.time(0, 0), datetime.time(23, 59)) for d in range(7)])
    BookingPage.objects.create(
        slug="rita",
        title="Intro with Rita",
        user=rep,
        duration_minutes=15,
        min_notice_minutes=0,
        stage=pipeline.stages.get(name="Demo/intro meeting booked"),
    )
    base = live_server.url

    page.goto(f"{base}/book/rita/")
    expect(page.get_by_role("heading", name="Intro with Rita")).to_be_visible()
    page.locator("label.slot").first.click()
    page.fill("#b-name", "Paula Prospect")
    page.fill("#b-email", "paula@prospect.example")
    page.fill("#b-company", "Prospect Ltd")
    page.click("#book")
    expect(page.locator("#booked")).to_be_visible()
    expect(page.get_by_role("link", name="Add to my calendar")).to_be_visible()

    meeting = Activity.objects.get(kind=Activity.Kind.MEETING, owner=rep)
    assert meeting.deal is not None and meeting.deal.stage.name == "Demo/intro meeting booked"

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "rita-secret-pass")
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(f"{base}/login/")
    page.goto(f"{base}/activities/my-day/")
    expect(page.locator("#due-today")).to_contain_text("Intro with Rita: Paula Prospect")
