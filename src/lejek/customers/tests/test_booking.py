"""Booking pages: free slots, a booking's records, the "Demo booked" SOP, no double booking,
rate limit and honeypot."""

import datetime
from typing import Any

import pytest
from icalendar import Calendar

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.automation import seed
from lejek.automation.models import DealStep
from lejek.contacts import services as contact_services
from lejek.core.errors import TooManyRequests
from lejek.customers import booking, slots
from lejek.customers.models import Booking, BookingPage
from lejek.customers.tests.helpers import local
from lejek.leads.models import Lead
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db

MONDAY_9 = local(2030, 6, 3, 9, 0)  # clock: Thursday 30 May 2030, 10:00


def _hours(user: User) -> None:
    slots.hours_set(user=user, rows=[(d, datetime.time(9), datetime.time(12)) for d in range(5)])


@pytest.fixture
def demo_page(owner: User, outbound: Pipeline) -> BookingPage:
    _hours(owner)
    stage = outbound.stages.get(name=seed.STAGE)
    return BookingPage.objects.create(
        slug="owner-demo", title="Product demo", user=owner, duration_minutes=30, stage=stage
    )


def _post(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Ann Nowak",
        "email": "Ann@Example.com",
        "company": "Acme",
        "slot": MONDAY_9.isoformat(),
        **extra,
    }


def test_free_slots_are_working_hours_minus_meetings(
    owner: User, demo_page: BookingPage, clock: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    contact_services.person_create(actor=owner, data={"last_name": "X"})
    pipeline_services  # noqa: B018
    Activity.objects.create(
        owner=owner,
        kind=Activity.Kind.MEETING,
        due_at=local(2030, 6, 3, 10, 0),
        duration_minutes=60,
    )
    free = slots.page_slots(demo_page, local(2030, 5, 30, 10, 0))
    monday = [s for s in free if s.date() == datetime.date(2030, 6, 3)]
    assert [s.strftime("%H:%M") for s in monday] == ["09:00", "09:30", "11:00", "11:30"]
    # Two hours' notice: Thursday before 12:00 is gone; nothing at the weekend.
    thursday = [s for s in free if s.date() == datetime.date(2030, 5, 30)]
    assert thursday == []
    assert not [s for s in free if s.weekday() >= 5]


def test_a_booking_creates_the_lead_deal_meeting_and_starts_the_demo_sop(
    owner: User, demo_page: BookingPage, clock: Any, run_on_commit: Any, mailoutbox: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    made = run_on_commit(booking.submit, page=demo_page, posted=_post(), address="10.0.0.1")
    assert made.rep == owner
    lead = Lead.objects.get(email="ann@example.com")
    assert lead.status == Lead.Status.CONVERTED and lead.owner == owner
    deal = Deal.objects.get(pk=made.deal_id)
    assert deal.stage.name == seed.STAGE and deal.owner == owner
    meeting = Activity.objects.get(pk=made.meeting_id)
    assert meeting.kind == Activity.Kind.MEETING and meeting.due_at == MONDAY_9
    assert meeting.deal == deal and meeting.owner == owner and meeting.duration_minutes == 30
    # The stage's SOP started: its steps exist and the confirmation (with the invite) went.
    steps = DealStep.objects.filter(deal=deal).order_by("order")
    assert [s.template.key for s in steps] == [
        "confirmation",
        "case_study",
        "reminder",
        "follow_up",
        "nurture",
    ]
    assert steps[0].status == DealStep.Status.DONE
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["ann@example.com"]
    ics = next(a for a in sent.attachments if "calendar" in a[2])
    assert Calendar.from_ical(ics[1])["METHOD"] == "REQUEST"
    # The slot is gone.
    assert MONDAY_9 not in slots.page_slots(demo_page, local(2030, 5, 30, 10, 0))


def test_a_known_person_with_an_open_deal_is_moved_to_the_stage(
    owner: User, demo_page: BookingPage, outbound: Pipeline, clock: Any, run_on_commit: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    person = contact_services.person_create(
        actor=owner, data={"first_name": "Ann", "last_name": "Nowak", "email": "ann@example.com"}
    )
    deal = pipeline_services.deal_create(
        actor=owner,
        data={
            "title": "Acme",
            "pipeline_id": outbound.pk,
            "stage_id": outbound.stages.get(name="Conversation started").pk,
            "person_ids": [person.pk],
        },
    )
    made = run_on_commit(booking.submit, page=demo_page, posted=_post(), address="10.0.0.2")
    assert made.deal_id == deal.pk and made.lead_id is None
    deal.refresh_from_db()
    assert deal.stage.name == seed.STAGE
    assert DealStep.objects.filter(deal=deal, template__key="confirmation").exists()
    assert Lead.objects.count() == 0


def test_a_page_without_a_stage_sop_sends_its_own_invitation(
    owner: User, clock: Any, run_on_commit: Any, mailoutbox: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    _hours(owner)
    page = BookingPage.objects.create(slug="intro", title="Intro call", user=owner)
    made = run_on_commit(booking.submit, page=page, posted=_post(), address="10.0.0.3")
    assert made.deal_id is None and made.lead_id is not None
    assert Activity.objects.get(pk=made.meeting_id).lead_id == made.lead_id
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.startswith("Booked: Intro call")


def test_the_second_booking_of_a_slot_gets_a_clear_message(
    owner: User, demo_page: BookingPage, clock: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    booking.submit(page=demo_page, posted=_post(), address="10.0.0.4")
    with pytest.raises(booking.SlotTaken) as caught:
        booking.submit(page=demo_page, posted=_post(email="bob@example.com"), address="10.0.0.5")
    assert "just booked by someone else" in caught.value.message
    assert Booking.objects.count() == 1


def test_the_database_refuses_a_double_booking_the_lock_missed(
    owner: User, demo_page: BookingPage, clock: Any, monkeypatch: Any
) -> None:
    """Even when the free-slot check is fooled, the unique constraint keeps one booking."""
    clock.set(local(2030, 5, 30, 10, 0))
    booking.submit(page=demo_page, posted=_post(), address="10.0.0.4")
    monkeypatch.setattr(slots, "is_free", lambda *a, **k: True)
    monkeypatch.setattr(booking, "_candidates", lambda *a, **k: [owner])
    with pytest.raises(booking.SlotTaken):
        booking.submit(page=demo_page, posted=_post(email="bob@example.com"), address="10.0.0.5")
    assert Booking.objects.count() == 1


def test_honeypot_and_rate_limit(owner: User, demo_page: BookingPage, clock: Any) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    with pytest.raises(booking.Rejected):
        booking.submit(page=demo_page, posted=_post(website="http://spam"), address="10.0.0.6")
    assert Booking.objects.count() == 0
    demo_page.per_hour = 2
    demo_page.save()
    with pytest.raises(booking.ValidationFailed):
        booking.submit(page=demo_page, posted=_post(email="nope"), address="10.0.0.6")
    with pytest.raises(TooManyRequests):
        booking.submit(page=demo_page, posted=_post(), address="10.0.0.6")
    # Another address is not held back.
    booking.submit(page=demo_page, posted=_post(), address="10.0.0.7")


def test_team_pages_hand_bookings_out_in_turn(
    owner: User, teammate: User, manager: User, outbound: Pipeline, clock: Any
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    _hours(owner)
    _hours(teammate)
    page = BookingPage.objects.create(slug="team", title="Team demo", team=owner.team)
    first = booking.submit(page=page, posted=_post(), address="10.0.1.1")
    second = booking.submit(page=page, posted=_post(email="b@example.com"), address="10.0.1.2")
    assert {first.rep, second.rep} == {owner, teammate}  # same slot, two reps
    with pytest.raises(booking.SlotTaken):
        booking.submit(page=page, posted=_post(email="c@example.com"), address="10.0.1.3")
