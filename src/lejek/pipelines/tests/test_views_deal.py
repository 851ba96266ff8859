"""Deal pages: create, the record page, fields edited in place, win, lose, reopen."""

from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person
from lejek.pipelines.models import Deal, Pipeline, StatusChange
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def pipeline(admin: User) -> Pipeline:
    return factories.pipeline(admin)


@pytest.fixture
def deal(owner: User, pipeline: Pipeline) -> Deal:
    return factories.deal(owner, pipeline, title="Licences", amount="1000", currency="USD")


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail(deal: Deal) -> str:
    return f"/pipelines/deals/{deal.pk}/"


def field_url(deal: Deal, name: str) -> str:
    return f"/pipelines/deals/{deal.pk}/fields/{name}/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("teammate", 404), ("manager", 200), ("outsider", 404), ("admin", 200)],
)
def test_deal_page_per_persona(
    personas: dict[str, User], deal: Deal, who: str, status: int
) -> None:
    response = as_user(personas[who]).get(detail(deal))
    assert response.status_code == status
    if status == 404:
        assert "Licences" not in response.content.decode()


def test_deal_page_shows_the_deal(owner: User, deal: Deal) -> None:
    response = as_user(owner).get(detail(deal))
    body = response.content.decode()
    assert "Licences" in body and "1,000 USD" in body
    assert 'id="deal-version" name="version" value="1"' in body
    assert 'aria-current="step">Discovery call' in body
    assert "Created in <strong>Discovery call</strong>" in body
    assert "No next step" in body


def test_deal_page_escapes_the_title(owner: User, pipeline: Pipeline) -> None:
    deal = factories.deal(owner, pipeline, title="<script>alert(1)</script>")
    body = as_user(owner).get(detail(deal)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_field_edit_round_trip(owner: User, deal: Deal) -> None:
    client = as_user(owner)
    form = client.get(field_url(deal, "amount"), headers=HTMX)
    assert form.status_code == 200
    assert 'name="amount"' in form.content.decode()
    saved = client.post(
        field_url(deal, "amount"), {"amount": "2500", "currency": "EUR", "version": 1}, headers=HTMX
    )
    assert saved.status_code == 200, saved.content
    body = saved.content.decode()
    assert "2,500 EUR" in body
    assert 'id="deal-version" name="version" value="2" hx-swap-oob="true"' in body
    deal.refresh_from_db()
    assert (deal.amount, deal.currency, deal.version) == (2500, "EUR", 2)
    cancel = client.get(field_url(deal, "amount") + "?cancel=1", headers=HTMX)
    assert "2,500 EUR" in cancel.content.decode()


def test_field_edit_with_a_stale_version_is_a_conflict(owner: User, deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(version=F("version") + 1)
    response = as_user(owner).post(
        field_url(deal, "next_step"), {"next_step": "Call back", "version": 1}, headers=HTMX
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    deal.refresh_from_db()
    assert deal.next_step == ""


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("amount", {"amount": "-5", "currency": "USD"}, "greater than or equal to 0"),
        ("amount", {"amount": "1", "currency": "XXX"}, "valid choice"),
        ("title", {"title": ""}, "required"),
        ("organization", {"organization": "abc"}, "whole number"),
        ("people", {"people": ["x"]}, "Choose from the list"),
        ("expected_close_date", {"expected_close_date": "31.02.2026"}, "valid date"),
    ],
)
def test_field_edit_rejects_bad_input(
    owner: User, deal: Deal, name: str, data: dict[str, Any], message: str
) -> None:
    response = as_user(owner).post(field_url(deal, name), {**data, "version": 1}, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    deal.refresh_from_db()
    assert deal.version == 1


def test_field_edit_refuses_invisible_references(owner: User, outsider: User, deal: Deal) -> None:
    theirs = Organization.objects.create(owner=outsider, name="Hidden Co")
    response = as_user(owner).post(
        field_url(deal, "organization"), {"organization": theirs.pk, "version": 1}, headers=HTMX
    )
    assert response.status_code == 422
    assert "that you can see" in response.content.decode()
    assert "Hidden Co" not in response.content.decode()


def test_people_and_organization_pickers(owner: User, outsider: User, deal: Deal) -> None:
    mine = Organization.objects.create(owner=owner, name="Acme Mine")
    Organization.objects.create(owner=outsider, name="Acme Theirs")
    ann = Person.objects.create(owner=owner, first_name="Ann", last_name="Acme")
    client = as_user(owner)
    orgs = client.get("/pipelines/lookup/organizations/?q=acme").content.decode()
    assert "Acme Mine" in orgs and "Acme Theirs" not in orgs
    people = client.get("/pipelines/lookup/people/?q=ann").content.decode()
    assert "Ann Acme" in people
    client.post(
        field_url(deal, "organization"), {"organization": mine.pk, "version": 1}, headers=HTMX
    )
    saved = client.post(field_url(deal, "people"), {"people": [ann.pk], "version": 2}, headers=HTMX)
    assert saved.status_code == 200
    deal.refresh_from_db()
    assert deal.organization == mine and list(deal.people.all()) == [ann]


def test_unknown_field_and_invisible_deal_are_404(owner: User, outsider: User, deal: Deal) -> None:
    assert as_user(owner).get(field_url(deal, "status")).status_code == 404
    assert as_user(outsider).get(field_url(deal, "title")).status_code == 404


def test_owner_field_limits_who_may_be_assigned(
    owner: User, manager: User, teammate: User, outsider: User, deal: Deal
) -> None:
    client = as_user(manager)
    refused = client.post(
        field_url(deal, "owner"), {"owner": outsider.pk, "version": 1}, headers=HTMX
    )
    assert refused.status_code == 422  # not one of the choices a manager gets
    done = client.post(field_url(deal, "owner"), {"owner": teammate.pk, "version": 1}, headers=HTMX)
    assert done.status_code == 200
    deal.refresh_from_db()
    assert deal.owner == teammate
    rep_page = as_user(teammate).get(detail(deal)).content.decode()
    assert f'hx-get="{field_url(deal, "owner")}"' not in rep_page


def test_won_then_reopen(owner: User, deal: Deal) -> None:
    client = as_user(owner)
    won = client.post(f"/pipelines/deals/{deal.pk}/won/", {"version": 1}, headers=HTMX)
    assert won.status_code == 200 and won["HX-Refresh"] == "true"
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    again = client.post(f"/pipelines/deals/{deal.pk}/won/", {"version": 2}, headers=HTMX)
    assert again.status_code == 409
    reopened = client.post(f"/pipelines/deals/{deal.pk}/reopen/", {"version": 2})
    assert reopened.status_code == 302
    deal.refresh_from_db()
    assert deal.status == Deal.Status.OPEN
    assert [c.to_status for c in StatusChange.objects.filter(deal=deal)] == ["won", "open"]


def test_lost_needs_a_reason_and_keeps_tags(owner: User, deal: Deal) -> None:
    client = as_user(owner)
    url = f"/pipelines/deals/{deal.pk}/lost/"
    empty = client.post(url, {"lost_reason": " ", "version": 1}, headers=HTMX)
    assert empty.status_code == 422
    assert "This field is required." in empty.content.decode()
    bad_tag = client.post(
        url, {"lost_reason": "Budget", "objection_tags": ["nope"], "version": 1}, headers=HTMX
    )
    assert bad_tag.status_code == 422
    stale = client.post(url, {"lost_reason": "Budget", "version": 7}, headers=HTMX)
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    lost = client.post(
        url,
        {"lost_reason": "Budget cut", "objection_tags": ["price_value", "timing"], "version": 1},
        headers=HTMX,
    )
    assert lost.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.objection_tags) == (
        "lost",
        "Budget cut",
        ["price_value", "timing"],
    )
    page = client.get(detail(deal)).content.decode()
    assert "Budget cut" in page and "Price vs value" in page and "Reopen" in page


def test_moving_from_the_deal_page(owner: User, pipeline: Pipeline, deal: Deal) -> None:
    client = as_user(owner)
    stage = factories.stage(pipeline, "Product demo")
    moved = client.post(
        f"/pipelines/deals/{deal.pk}/move/", {"stage_id": stage.pk, "version": 1}, headers=HTMX
    )
    assert moved.status_code == 200 and moved["HX-Refresh"] == "true"
    stale = client.post(
        f"/pipelines/deals/{deal.pk}/move/", {"stage_id": stage.pk, "version": 1}, headers=HTMX
    )
    assert stale.status_code == 409
    assert "alert" in stale.content.decode()
    page = client.get(detail(deal)).content.decode()
    assert "<strong>Discovery call</strong> → <strong>Product demo</strong>" in page


def test_create_deal(owner: User, pipeline: Pipeline) -> None:
    client = as_user(owner)
    stage = factories.stage(pipeline, "Qualified")
    form = client.get(f"/pipelines/deals/new/?stage={stage.pk}")
    assert form.status_code == 200
    assert f'value="{stage.pk}" selected' in form.content.decode()
    org = Organization.objects.create(owner=owner, name="Acme")
    response = client.post(
        "/pipelines/deals/new/",
        {
            "title": "New one",
            "stage": stage.pk,
            "organization": org.pk,
            "amount": "1200.50",
            "currency": "PLN",
            "source": "referral",
            "forecast_category": "commit",
            "next_step": "Demo",
        },
    )
    assert response.status_code == 302
    created = Deal.objects.get(title="New one")
    assert response["Location"] == detail(created)
    assert (created.stage, created.organization, created.owner) == (stage, org, owner)
    assert created.amount == pytest.approx(1200.5) and created.currency == "PLN"


def test_create_deal_rejects_bad_input(owner: User, outsider: User, pipeline: Pipeline) -> None:
    client = as_user(owner)
    missing = client.post("/pipelines/deals/new/", {"title": "", "stage": "x"})
    assert missing.status_code == 422
    assert Deal.objects.count() == 0
    hidden = Organization.objects.create(owner=outsider, name="Hidden")
    stage = factories.stage(pipeline, "Qualified")
    refused = client.post(
        "/pipelines/deals/new/",
        {
            "title": "T",
            "stage": stage.pk,
            "organization": hidden.pk,
            "currency": "USD",
            "source": "other",
            "forecast_category": "pipeline",
        },
    )
    assert refused.status_code == 422
    assert "that you can see" in refused.content.decode()
    assert "Hidden" not in refused.content.decode()
    assert Deal.objects.count() == 0


def test_field_form_saves_without_the_page_script(client, owner, admin):
    """A form submitted before htmx took it over still saves, then shows the deal page."""
    from lejek.pipelines import services as deal_services

    pipeline = deal_services.pipeline_create(actor=admin, template="probability_weighted")
    deal = deal_services.deal_create(
        actor=owner, data={"title": "Plain", "pipeline_id": pipeline.pk}
    )
    client.force_login(owner)
    url = f"/pipelines/deals/{deal.pk}/fields/next_step/"
    response = client.post(url, {"next_step": "Send the contract", "version": deal.version})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.next_step == "Send the contract"
    stale = client.post(url, {"next_step": "Other", "version": 1}, follow=True)
    assert stale.status_code == 200
    deal.refresh_from_db()
    assert deal.next_step == "Send the contract"
