"""The lead flow pages: duplicates and merge, convert, route, settings of forms and rules."""

from typing import Any

import pytest

from lejek.leads.models import Lead, RoutingRule, WebForm
from lejek.leads.tests.factories import make_lead
from lejek.pipelines.models import Deal
from lejek.pipelines.tests.factories import pipeline as make_pipeline
from lejek.web.tests.pages import client_for, text

pytestmark = pytest.mark.django_db


def test_duplicates_card_and_merge(owner: Any) -> None:
    keep = make_lead(owner, email="anna@acme.example")
    other = make_lead(owner, email="anna@acme.example", phone="+48 600")
    client = client_for(owner)
    page = client.get(f"/leads/{keep.pk}/")
    assert f"/leads/{keep.pk}/duplicates/" in text(page)
    card = client.get(f"/leads/{keep.pk}/duplicates/")
    assert "Possible duplicates" in text(card) and f"/leads/{other.pk}/" in text(card)
    stale = client.post(
        f"/leads/{keep.pk}/merge/", {"version": "1", "other_id": other.pk, "other_version": "5"}
    )
    assert stale.status_code == 302 and Lead.objects.get(pk=other.pk).deleted_at is None
    done = client.post(
        f"/leads/{keep.pk}/merge/", {"version": "1", "other_id": other.pk, "other_version": "1"}
    )
    assert done.status_code == 302
    assert Lead.objects.get(pk=keep.pk).phone == "+48 600"
    assert Lead.objects.get(pk=other.pk).merged_into_id == keep.pk
    assert "Possible duplicates" not in text(client.get(f"/leads/{keep.pk}/duplicates/"))


def test_convert_page(admin: Any, owner: Any) -> None:
    pipe = make_pipeline(admin)
    lead = make_lead(owner, company_name="Acme", email="anna@acme.example")
    client = client_for(owner)
    form = client.get(f"/leads/{lead.pk}/convert/")
    assert form.status_code == 200 and 'value="Acme"' in text(form)
    missing = client.post(f"/leads/{lead.pk}/convert/", {"version": "1", "title": "Acme"})
    assert missing.status_code == 422 and Deal.objects.count() == 0
    done = client.post(
        f"/leads/{lead.pk}/convert/",
        {"version": "1", "pipeline": pipe.pk, "title": "Acme rollout", "amount": "1500"},
    )
    deal = Deal.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/pipelines/deals/{deal.pk}/"
    assert (deal.title, deal.amount) == ("Acme rollout", 1500)
    assert "Converted into" in text(client.get(f"/leads/{lead.pk}/"))


def test_settings_pages(admin: Any, manager: Any, owner: Any, team_a: Any) -> None:
    client = client_for(admin)
    assert client.get("/leads/settings/").status_code == 200
    bad = client.post(
        "/leads/settings/forms/new/",
        {
            "name": "Contact",
            "slug": "contact",
            "mapping": "mail* = salary",
            "per_hour": "20",
            "source": "web_form",
        },
    )
    assert bad.status_code == 422 and WebForm.objects.count() == 0
    good = client.post(
        "/leads/settings/forms/new/",
        {
            "name": "Contact",
            "slug": "contact",
            "mapping": "mail* = email\ncompany = company_name",
            "per_hour": "20",
            "source": "web_form",
            "honeypot": "website",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    form = WebForm.objects.get()
    assert form.fields == {"mail": "email", "company": "company_name"}
    assert form.required == ["mail"]
    assert "mail* = email" in text(client.get(f"/leads/settings/forms/{form.pk}/"))
    rule = client.post(
        "/leads/settings/routing/new/",
        {
            "name": "Team A",
            "position": "1",
            "team": team_a.pk,
            "countries": "pl, cz",
            "is_active": "on",
        },
    )
    assert rule.status_code == 302
    assert RoutingRule.objects.get().countries == ["PL", "CZ"]
    listing = text(client.get("/leads/settings/"))
    assert "/f/contact/" in listing and "Team A" in listing
    assert client_for(manager).get("/leads/settings/").status_code == 200
    assert client_for(owner).get("/leads/settings/").status_code == 403
    assert (
        client_for(manager)
        .post("/leads/settings/routing/new/", {"name": "x", "position": "0", "user": owner.pk})
        .status_code
        == 422
    )
    r = RoutingRule.objects.get()
    assert client.post(f"/leads/settings/routing/{r.pk}/delete/").status_code == 302
    assert RoutingRule.objects.count() == 0


def test_route_button(admin: Any, manager: Any, owner: Any, team_a: Any) -> None:
    client_for(admin).post(
        "/leads/settings/routing/new/",
        {"name": "Team A", "position": "0", "user": owner.pk, "is_active": "on"},
    )
    lead = make_lead(manager, company_name="Acme")
    response = client_for(manager).post(f"/leads/{lead.pk}/route/", {"version": "1"})
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).owner_id == owner.pk
