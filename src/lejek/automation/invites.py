"""iCalendar invitations for meetings (RFC 5545, METHOD:REQUEST)."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from lejek.activities.models import Activity


def uid_for(meeting: Activity) -> str:
    """Stable per meeting, so a later invitation updates the first one in the calendar."""
    host = (settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".") or "localhost"
    return f"lejek-meeting-{meeting.pk}@{host}"


def meeting_invite(
    meeting: Activity,
    *,
    organizer_email: str,
    organizer_name: str,
    attendees: list[str],
    summary: str,
    description: str = "",
) -> bytes:
    if meeting.due_at is None:
        raise ValueError("A meeting without a time cannot be sent as an invitation.")
    start = meeting.due_at.astimezone(datetime.UTC)
    end = start + datetime.timedelta(minutes=meeting.duration_minutes or 60)
    calendar = Calendar()
    calendar.add("prodid", "-//Lejek//CRM//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid_for(meeting))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("sequence", meeting.version)
    event.add("status", "CONFIRMED")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(organizer_name)
    event.add("organizer", organizer)
    for email in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
