"""Metrics from activities, leads and customer accounts, on hand-built histories."""

from fractions import Fraction as F

import pytest

from lejek.activities.models import Activity
from lejek.analytics import summaries
from lejek.analytics.tests.helpers import History, activity, report, t
from lejek.contacts.models import Organization
from lejek.leads.models import Lead
from lejek.pipelines import services

pytestmark = pytest.mark.django_db
EMAIL, CALL, MEETING, TASK = "email", "call", "meeting", "task"


@pytest.fixture
def pipeline(admin):
    return services.pipeline_create(actor=admin, template="seven_stage")


def lead(owner, created: str, **fields) -> Lead:
    found = Lead.objects.create(owner=owner, title="Lead", **fields)
    Lead.objects.filter(pk=found.pk).update(created_at=t(created))
    summaries.refresh_leads([found.pk])
    return found


@pytest.fixture
def leads(owner):
    l1, l2 = lead(owner, "2025-01-10"), lead(owner, "2025-01-12")
    l3, l4 = lead(owner, "2025-02-01"), lead(owner, "2025-02-02")
    out = {"direction": "outbound"}
    activity(owner, EMAIL, created="2025-01-10", done="2025-01-10T14:00", lead=l1, **out)
    activity(
        owner,
        EMAIL,
        created="2025-01-11",
        done="2025-01-11",
        lead=l1,
        direction="inbound",
        is_reply=True,
        is_positive=True,
    )
    activity(
        owner, CALL, created="2025-01-13", done="2025-01-13", lead=l2, duration_minutes=20, **out
    )
    activity(owner, MEETING, created="2025-01-14", done="2025-01-20", lead=l2, duration_minutes=60)
    activity(owner, EMAIL, created="2025-02-05", done="2025-02-05", lead=l3, **out)
    activity(owner, EMAIL, created="2025-02-02", done="2025-02-02T18:00", lead=l4, **out)
    activity(
        owner,
        EMAIL,
        created="2025-02-03",
        done="2025-02-03",
        lead=l4,
        direction="inbound",
        is_reply=True,
        is_positive=False,
    )
    activity(owner, TASK, created="2025-02-04", done="2025-02-04", duration_minutes=40)
    # Not done yet, so not counted as sent:
    activity(owner, EMAIL, created="2025-02-06", lead=l3, **out)
    return [l1, l2, l3, l4]


def test_response_rate_and_positive_replies(admin, leads):
    m = report(admin, "2025-01", "2025-03")["current"]
    assert (m["outreach_sent"], m["replies"]) == (3, 2)
    assert m["response_rate"] == F(2, 3)
    assert m["positive_reply_rate"] == F(1, 2)


def test_lead_response_time_is_the_median_of_first_touches(admin, leads):
    m = report(admin, "2025-01", "2025-03")["current"]
    # 2 h, 24 h, 6 h and 96 h: the median is (6 + 24) / 2 hours.
    assert m["lead_response_seconds"] == 15 * 3600
    assert m["leads_responded"] == 4
    assert m["new_leads"] == 4


def test_meetings_prospects_and_selling_time(admin, leads):
    m = report(admin, "2025-01", "2025-03")["current"]
    assert m["meetings_booked"] == 1
    assert m["prospects_contacted"] == 4
    assert m["meeting_booking_rate"] == F(1, 4)
    assert m["selling_time"] == F(80, 120)  # call + meeting of all logged minutes


def test_follow_ups_and_close_rates_against_prospects_and_meetings(admin, owner, pipeline, leads):
    h = History(owner, pipeline)
    a = h.deal("2025-01-02", amount=100, currency="USD")
    b = h.deal("2025-01-03", amount=100, currency="USD")
    out = {"direction": "outbound"}
    for day in ("2025-01-04", "2025-01-05"):
        activity(owner, EMAIL, created=day, done=day, deal=a, **out)
    for day in ("2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07", "2025-01-08"):
        activity(owner, CALL, created=day, done=day, deal=b, **out)
    h.won(a, "2025-01-20")
    h.won(b, "2025-01-21")
    # A touch after the close is not a follow-up that won the deal.
    activity(owner, EMAIL, created="2025-01-25", done="2025-01-25", deal=a, **out)
    m = report(admin, "2025-01", "2025-03")["current"]
    assert m["follow_ups_per_won_deal"] == F(7, 2)
    assert m["won_with_5_follow_ups"] == F(1, 2)
    assert m["prospects_contacted"] == 6  # four leads and two deals without a lead
    assert m["close_rate_reached"] == F(2, 6)
    assert m["close_rate_meetings"] == 2


def test_customer_lifetime_value(admin, owner, pipeline):
    h = History(owner, pipeline)
    org_a = Organization.objects.create(owner=owner, name="A")
    org_b = Organization.objects.create(owner=owner, name="B")
    for org, day, amount, won in (
        (org_a, "2024-01-10", 1000, "2024-01-10"),
        (org_a, "2025-03-01", 2000, "2025-03-10"),
        (org_b, "2025-02-01", 500, "2025-02-02"),
    ):
        deal = h.deal(day, amount=amount, currency="USD", organization_id=org.pk)
        h.won(deal, won)
    m = report(admin, "2025-01", "2025-03")["current"]
    assert m["customers"] == 2
    lifetime = F(425 + 365)  # A: 10 Jan 2024 – 10 Mar 2025; B: one deal counts as a year
    assert m["customer_lifetime_years"] == lifetime / 2 / 365
    assert m["revenue_per_customer_year"] == F(3500) / (lifetime / 365)
    assert m["clv"] == 1750
    # At the end of 2024 only A was a customer, with its first deal.
    before = report(admin, "2024-10", "2024-12")["current"]
    assert before["customers"] == 1
    assert before["clv"] == 1000


def test_activities_follow_their_deal_into_another_pipeline_filter(admin, owner, pipeline):
    other = services.pipeline_create(actor=admin, template="outbound_b2b")
    deal = History(owner, pipeline).deal("2025-01-02")
    activity(owner, EMAIL, created="2025-01-04", done="2025-01-04", deal=deal, direction="outbound")
    assert (
        report(admin, "2025-01", "2025-03", pipeline_id=pipeline.pk)["current"]["outreach_sent"]
        == 1
    )
    assert (
        report(admin, "2025-01", "2025-03", pipeline_id=other.pk)["current"]["outreach_sent"] == 0
    )
    deal.refresh_from_db()
    services.deal_move_to_stage(
        actor=owner, deal=deal, stage=other.stages.active().first(), version=deal.version
    )
    assert (
        report(admin, "2025-01", "2025-03", pipeline_id=other.pk)["current"]["outreach_sent"] == 1
    )
    assert Activity.objects.count() == 1
