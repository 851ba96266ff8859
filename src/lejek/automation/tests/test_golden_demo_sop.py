"""SPEC golden example 7: the "Demo booked" SOP of seed 000, end to end.

A meeting on Tuesday at 14:00: the confirmation goes out at once with the
calendar invitation, the case study on Monday (one business day before), the
reminder at 12:00 on Tuesday (two hours before), and the follow-up once the
meeting is marked done, with a task for the next contact and the prospect in
the nurture campaign. A meeting on a Monday gets its case study on the Friday.
"""

from typing import Any

import pytest
from icalendar import Calendar

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.automation import seed
from lejek.automation.models import DealStep, Holiday, Membership, ScheduledAction
from lejek.automation.tests.helpers import (
    DEMO,
    book_meeting,
    local,
    make_deal,
    make_person,
    move,
    stage,
)
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db

TUESDAY_MEETING = local(2030, 6, 4, 14, 0)


def _book_demo(owner: User, pipeline: Pipeline, start: Any, run_on_commit: Any) -> Any:
    person = make_person(owner)
    deal = run_on_commit(make_deal, owner, pipeline, "Conversation started", person)
    book_meeting(owner, deal, start)
    run_on_commit(move, owner, deal, stage(pipeline, DEMO))
    return deal


def _parts(message: Any) -> dict[str, str]:
    return {part.get_content_type(): part.get_payload(decode=True) for part in message.walk()}


def test_tuesday_meeting_runs_the_whole_sop(
    owner: User, outbound: Pipeline, clock: Any, smtp: Any, run_on_commit: Any, tick: Any
) -> None:
    deal = _book_demo(owner, outbound, TUESDAY_MEETING, run_on_commit)

    # 1. At once: the confirmation with the date, the time and the invitation.
    assert smtp.subjects == ["Your demo: 4 Jun, 14:00"]
    confirmation = smtp.messages[0]
    assert confirmation["To"] == "ann@example.com"
    parts = _parts(confirmation)
    assert b"Tuesday, 4 June 2030 at 14:00" in parts["text/plain"]
    invite = Calendar.from_ical(parts["text/calendar"])
    assert invite["METHOD"] == "REQUEST"
    event = invite.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == TUESDAY_MEETING
    assert event.decoded("DTEND") == local(2030, 6, 4, 15, 0)
    assert str(event["ATTENDEE"]) == "mailto:ann@example.com"
    assert str(event["ORGANIZER"]) == "mailto:owner@example.com"

    # 2. Not before Monday 14:00, then the case study.
    clock.set(local(2030, 6, 3, 13, 59))
    tick()
    assert len(smtp.messages) == 1
    clock.set(local(2030, 6, 3, 14, 0))
    tick()
    assert smtp.subjects[1] == "Before our call: a case study"

    # 3. Reminder at 12:00 on Tuesday, two hours before.
    clock.set(local(2030, 6, 4, 11, 59))
    tick()
    assert len(smtp.messages) == 2
    clock.set(local(2030, 6, 4, 12, 0))
    tick()
    assert smtp.subjects[2] == "Reminder: our call at 14:00"

    # 4 and 5. Nothing more until the meeting is marked done.
    clock.set(local(2030, 6, 4, 15, 0))
    tick()
    assert len(smtp.messages) == 3
    meeting = Activity.objects.get(deal=deal, kind=Activity.Kind.MEETING)
    activity_services.activity_complete(
        actor=owner, activity=meeting, version=meeting.version, outcome="Pilot for two teams"
    )
    tick()
    assert smtp.subjects[3] == "Thank you: the key points of our call"
    assert b"Pilot for two teams" in _parts(smtp.messages[3])["text/plain"]

    task = Activity.objects.get(deal=deal, kind=Activity.Kind.TASK)
    assert task.subject == "Next contact: Acme rollout"
    assert task.due_at == local(2030, 6, 7, 15, 0)  # three business days after the call
    person_id = deal.people.get().pk
    assert Membership.objects.filter(
        campaign__name=seed.CAMPAIGN, entity_type="person", entity_id=person_id
    ).exists()

    # Every email is an outbound email activity on the deal.
    emails = Activity.objects.filter(deal=deal, kind=Activity.Kind.EMAIL)
    assert emails.count() == 4
    assert set(emails.values_list("direction", flat=True)) == {"outbound"}
    # The whole checklist is done, by the automation.
    steps = DealStep.objects.filter(deal=deal).order_by("order")
    assert [s.status for s in steps] == ["done"] * 5
    assert all(s.done_by is None and s.done_at is not None for s in steps)

    # Later ticks send nothing again.
    clock.advance(days=3)
    tick()
    assert len(smtp.messages) == 4


def test_monday_meeting_gets_its_case_study_on_friday(
    owner: User, outbound: Pipeline, clock: Any, smtp: Any, run_on_commit: Any, tick: Any
) -> None:
    deal = _book_demo(owner, outbound, local(2030, 6, 10, 14, 0), run_on_commit)
    case_study = ScheduledAction.objects.get(deal=deal, deal_step__template__key="case_study")
    assert case_study.due_at == local(2030, 6, 7, 14, 0)  # Friday
    clock.set(local(2030, 6, 7, 13, 59))
    tick()
    assert smtp.subjects == ["Your demo: 10 Jun, 14:00"]
    clock.set(local(2030, 6, 7, 14, 0))
    tick()
    assert smtp.subjects[-1] == "Before our call: a case study"


def test_a_holiday_is_skipped_like_a_weekend(
    owner: User, outbound: Pipeline, clock: Any, smtp: Any, run_on_commit: Any
) -> None:
    Holiday.objects.create(date=local(2030, 6, 3).date(), name="Staff day")
    deal = _book_demo(owner, outbound, TUESDAY_MEETING, run_on_commit)
    case_study = ScheduledAction.objects.get(deal=deal, deal_step__template__key="case_study")
    assert case_study.due_at == local(2030, 5, 31, 14, 0)  # Friday, Monday is off


def test_a_moved_meeting_moves_its_reminders(
    owner: User, outbound: Pipeline, clock: Any, smtp: Any, run_on_commit: Any, tick: Any
) -> None:
    deal = _book_demo(owner, outbound, TUESDAY_MEETING, run_on_commit)
    meeting = Activity.objects.get(deal=deal, kind=Activity.Kind.MEETING)
    activity_services.activity_update(
        actor=owner,
        activity=meeting,
        data={"due_at": local(2030, 6, 5, 10, 0)},
        version=meeting.version,
    )
    tick()
    reminder = ScheduledAction.objects.get(deal=deal, deal_step__template__key="reminder")
    assert reminder.due_at == local(2030, 6, 5, 8, 0)
    case_study = ScheduledAction.objects.get(deal=deal, deal_step__template__key="case_study")
    assert case_study.due_at == local(2030, 6, 4, 10, 0)


def test_a_reminder_too_late_is_skipped_not_sent(
    owner: User, outbound: Pipeline, clock: Any, smtp: Any, run_on_commit: Any, tick: Any
) -> None:
    deal = _book_demo(owner, outbound, TUESDAY_MEETING, run_on_commit)
    clock.set(local(2030, 6, 4, 14, 30))  # the worker was down until after the start
    tick()
    assert len(smtp.messages) == 1
    reminder = DealStep.objects.get(deal=deal, template__key="reminder")
    assert reminder.status == DealStep.Status.SKIPPED
