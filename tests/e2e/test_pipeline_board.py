"""In a real browser: design a pipeline, create a deal, drag it across the board, lose it."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User
from lejek.contacts.models import Organization
from lejek.pipelines import services
from lejek.pipelines.models import Deal, Pipeline
from tests.e2e.conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="Team Warsaw")


@pytest.fixture
def admin(team: Team) -> User:
    return account_services.user_create(
        username="ada",
        password="ada-secret-pass",
        role=User.Role.ADMIN,
        team=team,
        first_name="Ada",
        last_name="Admin",
    )


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(f"{base}/login/")


def column(page: Page, pipeline: Pipeline, stage_name: str) -> Any:
    stage = pipeline.stages.active().get(name=stage_name)
    return page.locator(f'.board-column[data-stage-id="{stage.pk}"]')


def head(page: Page, pipeline: Pipeline, stage_name: str) -> Any:
    return column(page, pipeline, stage_name).locator(".board-column-head")


def neighbours(admin: User, pipeline: Pipeline) -> None:
    """A few more deals, so the board looks like a working day."""
    specs = [
        ("Kraków clinic CRM rollout", "Northwind Health", "24000", "PLN", "Qualified"),
        ("Fleet telematics pilot", "Vistula Logistics", "8500", "EUR", "Product demo"),
        ("Support renewal 2026", "Baltic Foods", "3200", "EUR", "Product trial"),
        ("Call-centre licences", "Ural Telecom", "410000", "RUB", "Final call"),
        ("Warehouse scanners", "Vistula Logistics", "12900", "PLN", "Discovery call"),
    ]
    for title, org_name, amount, currency, stage_name in specs:
        org, _ = Organization.objects.get_or_create(owner=admin, name=org_name)
        services.deal_create(
            actor=admin,
            data={
                "title": title,
                "pipeline_id": pipeline.pk,
                "stage_id": pipeline.stages.active().get(name=stage_name).pk,
                "organization_id": org.pk,
                "amount": Decimal(amount),
                "currency": currency,
            },
        )


def test_design_a_pipeline_then_work_a_deal(
    page: Page, live_server: Any, admin: User, screenshot_dir: Path
) -> None:
    base = live_server.url
    log_in(page, base, "ada", "ada-secret-pass")

    # The editor: a new pipeline from the seed-002 template.
    page.goto(f"{base}/pipelines/editor/")
    page.fill("#id_name", "Inbound SaaS")
    page.check("input[name=template][value=probability_weighted]")
    page.click("#pipeline-create-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Pipeline created")
    pipeline = Pipeline.objects.get(name="Inbound SaaS")
    stage_names = list(pipeline.stages.active().values_list("name", flat=True))
    assert stage_names[:3] == ["Discovery call", "Qualified", "Product demo"]
    expect(page.locator("#stage-list .stage-row")).to_have_count(6)

    # A new deal, through the form.
    neighbours(admin, pipeline)
    page.goto(f"{base}/pipelines/deals/new/?pipeline={pipeline.pk}")
    page.fill("#id_title", "Gdańsk fleet renewal")
    page.fill("#id_amount", "1000")
    page.select_option("#id_currency", "USD")
    page.click("#deal-create-form button[type=submit]")
    expect(page.locator("#field-title")).to_contain_text("Gdańsk fleet renewal")
    deal = Deal.objects.get(title="Gdańsk fleet renewal")

    # The board: drag the card across two stages; counts and totals follow.
    page.goto(f"{base}/pipelines/board/{pipeline.pk}/")
    card = page.locator(f"#deal-{deal.pk}")
    expect(head(page, pipeline, "Discovery call").locator(".column-count")).to_have_text("2")
    expect(head(page, pipeline, "Qualified").locator(".column-count")).to_have_text("1")

    card.drag_to(column(page, pipeline, "Qualified"))
    qualified = head(page, pipeline, "Qualified")
    expect(qualified.locator(".column-count")).to_have_text("2")
    expect(qualified).to_contain_text("1,000 USD")
    expect(qualified).to_contain_text("· 200")
    expect(head(page, pipeline, "Discovery call").locator(".column-count")).to_have_text("1")

    page.locator(f"#deal-{deal.pk}").drag_to(column(page, pipeline, "Product demo"))
    demo = head(page, pipeline, "Product demo")
    expect(demo.locator(".column-count")).to_have_text("2")
    expect(demo).to_contain_text("1,000 USD")
    expect(demo).to_contain_text("· 400")
    expect(qualified.locator(".column-count")).to_have_text("1")
    expect(column(page, pipeline, "Product demo").locator(f"#deal-{deal.pk}")).to_be_visible()
    deal.refresh_from_db()
    assert deal.stage.name == "Product demo" and deal.version == 3
    page.mouse.move(0, 0)
    page.screenshot(path=str(screenshot_dir / "board.png"))

    # Somebody else changes the deal meanwhile: the next drag is refused and the card returns.
    Deal.objects.filter(pk=deal.pk).update(version=F("version") + 1)
    page.locator(f"#deal-{deal.pk}").drag_to(column(page, pipeline, "Product trial"))
    expect(page.locator("#toasts .toast")).to_contain_text("changed by someone else")
    expect(column(page, pipeline, "Product demo").locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(head(page, pipeline, "Product trial").locator(".column-count")).to_have_text("1")
    deal.refresh_from_db()
    assert deal.stage.name == "Product demo"

    # The deal page: mark it lost with a reason and an objection.
    page.click(f"#deal-{deal.pk} .deal-title")
    expect(page.locator(".stage-step.is-current")).to_have_text("Product demo")
    page.screenshot(path=str(screenshot_dir / "deal.png"))
    page.click("#mark-lost")
    page.fill("#id_lost_reason", "Chose a cheaper competitor")
    page.check("input[name=objection_tags][value=price_value]")
    page.click("#lost-form button[type=submit]")
    expect(page.locator("#closed-banner")).to_contain_text("Chose a cheaper competitor")
    expect(page.locator("#deal-history")).to_contain_text("Lost")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.LOST
    assert deal.objection_tags == ["price_value"]


def test_keyboard_move_and_in_place_edit(page: Page, live_server: Any, admin: User) -> None:
    base = live_server.url
    pipeline = services.pipeline_create(actor=admin, template="probability_weighted")
    deal = services.deal_create(
        actor=admin, data={"title": "Keyboard deal", "pipeline_id": pipeline.pk}
    )
    log_in(page, base, "ada", "ada-secret-pass")

    page.goto(f"{base}/pipelines/board/{pipeline.pk}/")
    page.focus(f"#deal-{deal.pk}")
    page.keyboard.press("m")
    page.locator(f"#deal-{deal.pk} .move-menu button", has_text="Final call").click()
    expect(head(page, pipeline, "Final call").locator(".column-count")).to_have_text("1")
    deal.refresh_from_db()
    assert deal.stage.name == "Final call"

    page.goto(f"{base}/pipelines/deals/{deal.pk}/")
    page.click("#field-next_step .editable")
    page.fill("#field-next_step input[name=next_step]", "Send the contract")
    page.keyboard.press("Enter")
    expect(page.locator("#field-next_step")).to_contain_text("Send the contract")
    page.click("#field-amount .editable")
    page.fill("#field-amount input[name=amount]", "5000")
    page.click("#field-amount button[type=submit]")
    expect(page.locator("#deal-facts")).to_contain_text("5,000 USD")
    expect(page.locator("#deal-facts")).to_contain_text("weighted 4,000")
    deal.refresh_from_db()
    assert (deal.next_step, deal.amount) == ("Send the contract", 5000)


def test_a_stage_checklist_blocks_the_move_until_overridden(
    page: Page, live_server: Any, admin: User
) -> None:
    base = live_server.url
    pipeline = services.pipeline_create(actor=admin, template="outbound_b2b")
    demo = pipeline.stages.active().get(name="Demo/intro meeting booked")
    deal = services.deal_create(
        actor=admin, data={"title": "Gated deal", "pipeline_id": pipeline.pk, "stage_id": demo.pk}
    )
    log_in(page, base, "ada", "ada-secret-pass")

    page.goto(f"{base}/pipelines/board/{pipeline.pk}/")
    page.locator(f"#deal-{deal.pk}").drag_to(
        column(page, pipeline, "Proposal or contract considered")
    )
    dialog = page.locator("#override-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This stage is not complete yet")
    expect(
        column(page, pipeline, "Demo/intro meeting booked").locator(f"#deal-{deal.pk}")
    ).to_be_visible()
    page.fill("#override-reason", "The client signed at the meeting")
    dialog.locator("button[type=submit]").click()
    target = head(page, pipeline, "Proposal or contract considered")
    expect(target.locator(".column-count")).to_have_text("1")
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal or contract considered"
