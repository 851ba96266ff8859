"""A prospect books a slot on a public page (seed 002: "an automatic booking system so
prospects talk to a rep quickly").

A booking matches the prospect to a person (by email) or a lead, or creates a lead; creates
the meeting activity; moves the prospect's deal (or a new one converted from the lead) to
the page's stage, which starts that stage's SOP (the seed "Demo booked" checklist sends the
confirmation with the calendar invitation); pages without a stage SOP send a confirmation
with the invitation themselves.

Double booking cannot happen: the rep's row is locked while the slot is checked and taken,
and a unique constraint on (rep, start) stops whatever a lock could not (SQLite, a bug).
"""

import datetime
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.automation import invites, seed
from lejek.automation.models import StepTemplate
from lejek.contacts.models import Person
from lejek.core import records
from lejek.core.errors import Conflict, DomainError, Forbidden, TooManyRequests, ValidationFailed
from lejek.customers import slots
from lejek.customers.models import Booking, BookingAttempt, BookingPage
from lejek.leads import conversion
from lejek.leads import services as lead_services
from lejek.leads.models import Lead, Source
from lejek.leads.routing import next_in_team
from lejek.pipelines import services as deal_services
from lejek.pipelines.models import Deal, Stage

logger = logging.getLogger(__name__)

HONEYPOT = "website"
SLOT_TAKEN = "Sorry, that time was just booked by someone else. Please choose another slot."


class SlotTaken(Conflict):
    code = "slot_taken"


class Rejected(DomainError):
    status = 400
    code = "rejected"


@dataclass
class Prospect:
    name: str
    email: str
    company: str
    phone: str
    note: str

    @property
    def first_last(self) -> tuple[str, str]:
        first, _, last = self.name.strip().rpartition(" ")
        return (first, last) if first else ("", last)


def client_key(address: str | None) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _check_limit(page: BookingPage, client: str) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = list(
        BookingAttempt.objects.filter(page=page, client=client, at__gte=since)
        .exclude(outcome=BookingAttempt.Outcome.LIMITED)
        .order_by("-at")
        .values_list("at", flat=True)[: page.per_hour]
    )
    if len(recent) >= page.per_hour:
        wait = (recent[-1] + datetime.timedelta(hours=1) - timezone.now()).total_seconds()
        raise TooManyRequests(
            "Too many booking attempts from your address; please try again later.",
            retry_after=max(1, int(wait) + 1),
        )


def _prospect(posted: dict[str, Any]) -> tuple[Prospect, datetime.datetime]:
    errors: dict[str, list[str]] = {}
    text = {
        k: str(posted.get(k) or "").strip()
        for k in ("name", "email", "company", "phone", "note", "slot")
    }
    limits = {"name": 200, "email": 254, "company": 200, "phone": 50, "note": 1000}
    for name, limit in limits.items():
        if len(text[name]) > limit:
            errors[name] = [f"At most {limit} characters."]
    if not text["name"]:
        errors.setdefault("name", []).append("Tell us your name.")
    try:
        validate_email(text["email"])
    except ValidationError:
        errors.setdefault("email", []).append("Give a valid email address.")
    start = parse_datetime(text["slot"]) if text["slot"] else None
    if start is None or timezone.is_naive(start):
        errors["slot"] = ["Choose one of the free times."]
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)
    assert start is not None
    prospect = Prospect(
        name=text["name"],
        email=text["email"].lower(),
        company=text["company"],
        phone=text["phone"],
        note=text["note"],
    )
    return prospect, start


def submit(
    *,
    page: BookingPage,
    posted: dict[str, Any],
    address: str | None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book from a public form post; every attempt is logged for the rate limit."""
    client = client_key(address)
    if not page.is_active:
        raise Forbidden("This booking page is closed.")
    try:
        _check_limit(page, client)
    except TooManyRequests:
        BookingAttempt.objects.create(
            page=page, client=client, outcome=BookingAttempt.Outcome.LIMITED, at=timezone.now()
        )
        raise
    try:
        if (posted.get(HONEYPOT) or "").strip():
            raise Rejected("Rejected.", fields={HONEYPOT: ["Leave this field empty."]})
        prospect, start = _prospect(posted)
        booking = book(page=page, start=start, prospect=prospect, now=now)
    except DomainError as exc:
        BookingAttempt.objects.create(
            page=page,
            client=client,
            outcome=BookingAttempt.Outcome.REJECTED,
            reason=exc.message[:300],
            at=timezone.now(),
        )
        raise
    BookingAttempt.objects.create(
        page=page, client=client, outcome=BookingAttempt.Outcome.BOOKED, at=timezone.now()
    )
    return booking


def _candidates(page: BookingPage, start: datetime.datetime, now: datetime.datetime) -> list[User]:
    free = slots.page_slots(page, now).get(start, [])
    if not free:
        raise SlotTaken(SLOT_TAKEN)
    if page.user_id is not None:
        return [page.user] if page.user else []
    reps = {u.pk: u for u in User.objects.filter(pk__in=free)}
    # Round robin: the team's next rep in turn who is free at that time.
    ordered: list[User] = []
    for _ in range(len(slots.page_reps(page))):
        chosen = next_in_team(page.team_id) if page.team_id else None
        if chosen is None:
            break
        if chosen.pk in reps and chosen not in ordered:
            ordered.append(chosen)
            break
    return ordered + [u for pk, u in sorted(reps.items()) if u not in ordered]


def book(
    *,
    page: BookingPage,
    start: datetime.datetime,
    prospect: Prospect,
    now: datetime.datetime | None = None,
) -> Booking:
    """Take the slot for the prospect, or raise SlotTaken with a message they can act on."""
    now = now or timezone.now()
    end = start + datetime.timedelta(minutes=page.duration_minutes)
    with transaction.atomic():
        candidates = _candidates(page, start, now)
        for rep in candidates:
            # Bookings of one rep queue here; the slot is checked again under the lock.
            User.objects.select_for_update().filter(pk=rep.pk).first()
            if not slots.is_free(page, rep, start, now):
                continue
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        page=page,
                        rep=rep,
                        start_at=start,
                        end_at=end,
                        name=prospect.name,
                        email=prospect.email,
                        company=prospect.company,
                        created_at=now,
                    )
            except IntegrityError:
                continue
            _record(page, booking, prospect)
            return booking
    raise SlotTaken(SLOT_TAKEN)


def _record(page: BookingPage, booking: Booking, prospect: Prospect) -> None:
    """Lead or person, deal in the page's stage, and the meeting: as the rep, in one go."""
    rep = booking.rep
    stage = page.stage if page.stage and page.stage.removed_at is None else None
    person = (
        Person.objects.visible_to(rep).filter(email__iexact=prospect.email).order_by("pk").first()
    )
    lead: Lead | None = None
    deal: Deal | None = None
    if person is not None and stage is not None:
        deal = _deal_for_person(rep, person, stage, page)
    elif person is None:
        lead = (
            Lead.objects.visible_to(rep)
            .filter(email__iexact=prospect.email)
            .exclude(status__in=[Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED])
            .order_by("-created_at")
            .first()
        )
        if lead is None:
            first, last = prospect.first_last
            lead = lead_services.lead_create(
                actor=rep,
                data={
                    "first_name": first,
                    "last_name": last,
                    "email": prospect.email,
                    "company_name": prospect.company,
                    "phone": prospect.phone,
                    "source": Source.WEB_FORM,
                    "campaign": f"Booking page: {page.title}"[:200],
                },
            )
        if stage is not None:
            done = conversion.lead_convert(
                actor=rep,
                lead=lead,
                version=lead.version,
                data={"pipeline_id": stage.pipeline_id, "stage_id": stage.pk},
            )
            deal, person = done.deal, done.person
    meeting = records.create(
        actor=None,
        instance=Activity(
            kind=Activity.Kind.MEETING,
            subject=f"{page.title}: {prospect.name}"[:200],
            body=prospect.note,
            due_at=booking.start_at,
            duration_minutes=page.duration_minutes,
            owner=rep,
            deal=deal,
            lead=lead if deal is None else None,
            person=person,
            organization_id=deal.organization_id if deal else None,
        ),
    )
    activity_services.refresh_linked_dates([meeting])
    Booking.objects.filter(pk=booking.pk).update(meeting=meeting, lead=lead, deal=deal)
    booking.meeting, booking.lead, booking.deal = meeting, lead, deal
    if not _starts_sop(stage):
        transaction.on_commit(lambda: send_confirmation(booking.pk), robust=True)


def _deal_for_person(rep: User, person: Person, stage: Stage, page: BookingPage) -> Deal:
    deal = (
        Deal.objects.visible_to(rep)
        .filter(people=person, status=Deal.Status.OPEN, pipeline_id=stage.pipeline_id)
        .select_related("stage", "pipeline")
        .order_by("-created_at")
        .first()
    )
    if deal is None:
        org_id = person.organization_id
        if (org_id is not None and not person.organization) or (
            person.organization and person.organization.owner_id != rep.pk and not rep.is_admin
        ):
            org_id = None
        data = {
            "title": f"{page.title}: {person.full_name}"[:200],
            "pipeline_id": stage.pipeline_id,
            "stage_id": stage.pk,
            "person_ids": [person.pk],
            "source": Source.WEB_FORM,
            "organization_id": org_id,
        }
        return deal_services.deal_create(
            actor=rep, data={k: v for k, v in data.items() if v is not None}
        )
    if deal.stage_id != stage.pk:
        try:
            with transaction.atomic():
                deal = deal_services.deal_move_to_stage(
                    actor=rep,
                    deal=deal,
                    stage=stage,
                    version=deal.version,
                    note=f"Meeting booked on “{page.title}”",
                )
        except DomainError as exc:  # a gate or a concurrent edit: the meeting still stands
            logger.info("Booking left deal %s in its stage: %s", deal.pk, exc.message)
    return deal


def _starts_sop(stage: Stage | None) -> bool:
    if stage is None:
        return False
    seed.ensure_for_pipeline(stage.pipeline)
    return StepTemplate.objects.filter(checklist__stage=stage, is_active=True).exists()


def invitation(booking: Booking) -> bytes:
    """The iCalendar invitation of a booking's meeting (automation's RFC 5545 code)."""
    meeting = booking.meeting
    if meeting is None:
        raise ValueError("This booking has no meeting.")
    rep = booking.rep
    return invites.meeting_invite(
        meeting,
        organizer_email=rep.email or settings.DEFAULT_FROM_EMAIL,
        organizer_name=rep.display_name,
        attendees=[booking.email],
        summary=meeting.subject,
        description=f"{booking.page.title} with {rep.display_name}",
    )


def send_confirmation(booking_id: int) -> None:
    """The prospect's confirmation with the invitation, when no stage SOP sends one."""
    booking = Booking.objects.select_related("rep", "page", "meeting").filter(pk=booking_id).first()
    if booking is None or booking.meeting is None:
        return
    when = timezone.localtime(booking.start_at).strftime("%A, %d %B %Y at %H:%M")
    message = EmailMultiAlternatives(
        subject=f"Booked: {booking.page.title}, {when}",
        body=(
            f"Hello {booking.name},\n\nyour meeting with {booking.rep.display_name} is booked "
            f"for {when} ({booking.page.duration_minutes} minutes). The invitation is attached."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[booking.email],
        reply_to=[booking.rep.email] if booking.rep.email else [],
    )
    message.attach("invite.ics", invitation(booking), "text/calendar; method=REQUEST")
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the confirmation of booking %s", booking_id)
