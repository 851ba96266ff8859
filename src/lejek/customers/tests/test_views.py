import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lejek.accounts.models import User
from lejek.automation import seed
from lejek.customers.models import Booking, BookingPage, Contract, CustomerDeal, WorkingHours
from lejek.customers.tests.helpers import deal, local, organization, win
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_customer_pages(owner: User, outsider: User, pipeline: Pipeline, clock: Any) -> None:
    org = organization(owner)
    won = win(owner, deal(owner, pipeline, org))
    client = _client(owner)
    listed = client.get(reverse("customers:customer-list"))
    assert listed.status_code == 200 and b"Acme" in listed.content
    partial = client.get(
        reverse("customers:customer-list"), {"q": "zzz"}, headers={"HX-Request": "true"}
    )
    assert (
        partial.status_code == 200
        and b"Acme" not in partial.content
        and b"<html" not in partial.content
    )
    found = client.get(
        reverse("customers:customer-list"), {"q": "Acm"}, headers={"HX-Request": "true"}
    )
    assert "12,000\xa0USD" in found.content.decode()  # the rows name the reporting currency
    page = client.get(reverse("customers:customer-detail", args=[org.pk]))
    assert page.status_code == 200 and b"Check-in at 30 days" in page.content
    assert (
        _client(outsider).get(reverse("customers:customer-detail", args=[org.pk])).status_code
        == 404
    )
    assert Client().get(reverse("customers:customer-list")).status_code == 302

    added = client.post(
        reverse("customers:contract-add", args=[org.pk]),
        {
            "deal": won.pk,
            "start_date": "2030-03-01",
            "term_years": "1",
            "amount": "1000",
            "renewal_terms": "manual",
            "notice_days": "30",
        },
    )
    assert added.status_code == 302, added.content
    assert Contract.objects.get(organization=org).renew_on == datetime.date(2031, 1, 29)
    bad = client.post(reverse("customers:contract-add", args=[org.pk]), {"deal": won.pk})
    assert bad.status_code == 422

    made = client.post(reverse("customers:expansion-add", args=[org.pk]))
    assert made.status_code == 302
    assert CustomerDeal.objects.filter(organization=org, kind="expansion").count() == 1
    referral = client.post(reverse("customers:referral-add", args=[org.pk]), {"last_name": "Ref"})
    assert referral.status_code == 302


def test_booking_settings_and_public_page(owner: User, outbound: Pipeline, clock: Any) -> None:
    client = _client(owner)
    hours = {f"start_{d}": "09:00" for d in range(5)} | {f"end_{d}": "12:00" for d in range(5)}
    saved = client.post(reverse("customers:booking-settings"), {"form": "hours", **hours})
    assert saved.status_code == 302
    assert WorkingHours.objects.filter(user=owner).count() == 5
    stage = outbound.stages.get(name=seed.STAGE)
    created = client.post(
        reverse("customers:booking-settings"),
        {
            "form": "page",
            "title": "Demo",
            "slug": "ann-demo",
            "duration_minutes": 30,
            "stage": stage.pk,
            "horizon_days": 14,
            "min_notice_minutes": 120,
        },
    )
    assert created.status_code == 302, created.content
    page = BookingPage.objects.get(slug="ann-demo")
    assert page.user == owner

    public = Client(enforce_csrf_checks=False)
    shown = public.get(reverse("booking:page", args=["ann-demo"]))
    assert shown.status_code == 200
    slot = local(2030, 3, 4, 9, 0).isoformat()
    assert slot.encode() in shown.content
    posted = public.post(
        reverse("booking:page", args=["ann-demo"]),
        {"slot": slot, "name": "Pat Prospect", "email": "pat@example.com"},
    )
    assert posted.status_code == 302, posted.content
    made = Booking.objects.get()
    done = public.get(posted["Location"])
    assert done.status_code == 200 and b"booked" in done.content
    ics = public.get(reverse("booking:ics", args=[made.token]))
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    again = public.post(
        reverse("booking:page", args=["ann-demo"]),
        {"slot": slot, "name": "Bob", "email": "bob@example.com"},
    )
    assert again.status_code == 409 and b"just booked by someone else" in again.content
    spam = public.post(
        reverse("booking:page", args=["ann-demo"]),
        {"slot": slot, "name": "Bot", "email": "bot@example.com", "website": "x"},
    )
    assert spam.status_code == 400
    assert public.get(reverse("booking:page", args=["nope"])).status_code == 404
