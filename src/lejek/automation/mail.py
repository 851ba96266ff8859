"""Templated email: sandboxed rendering, the iCalendar invitation, SMTP, the activity log.

Templates use Django's template language on an engine of its own: no template
loaders (so no {% include %} or {% extends %} of files), no tag libraries to
{% load %}, and a context of plain values from `context.merge_fields`, so a
template reaches no model method and no private attribute. The HTML part is
autoescaped; the plain-text part is not HTML and so is not escaped.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateSyntaxError
from django.template.exceptions import TemplateDoesNotExist
from django.utils import timezone, translation
from django.utils.html import linebreaks

from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.automation import context, invites
from lejek.automation.models import EmailTemplate
from lejek.core.errors import ValidationFailed

ENGINES = {
    autoescape: Engine(loaders=[], libraries={}, autoescape=autoescape, string_if_invalid="")
    for autoescape in (False, True)
}
RECIPIENTS = ("contact", "owner")


class TemplateFailed(ValidationFailed):
    """A template that cannot be rendered; retrying would not help."""


def check_syntax(text: str, field: str) -> None:
    try:
        ENGINES[True].from_string(text)
    except TemplateSyntaxError as exc:
        raise ValidationFailed.field(field, f"Template error: {exc}") from exc


def render(text: str, values: dict[str, Any], *, html: bool = False) -> str:
    try:
        return ENGINES[html].from_string(text).render(Context(values, autoescape=html))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise TemplateFailed(f"Template error: {exc}") from exc


def pick_template(key: str, language: str = "") -> EmailTemplate:
    """The template in `language`, else in the site's language, else in any language."""
    found = {t.language: t for t in EmailTemplate.objects.filter(key=key)}
    for choice in (language, settings.LANGUAGE_CODE):
        if choice and choice in found:
            return found[choice]
    if found:
        return found[sorted(found)[0]]
    raise ValidationFailed.field("template", f"No email template '{key}'.")


def recipients(record: Any, to: str) -> list[str]:
    if to == "owner":
        return [record.owner.email] if record.owner.email else []
    if to == "contact":
        person = context.primary_person(record)
        # A lead has no contact person yet: it carries its own address.
        found = person.email if person is not None else getattr(record, "email", "")
        return [found] if found else []
    return [to]


def activity_links(record: Any) -> dict[str, int]:
    """Where an activity about `record` hangs: the record itself, or what an activity hangs on."""
    if isinstance(record, Activity):
        names = ("deal_id", "lead_id", "person_id", "organization_id")
        return {n: getattr(record, n) for n in names if getattr(record, n) is not None}
    return {f"{context.entity_type_of(record)}_id": record.pk}


def compose(
    record: Any, *, template_key: str, to: str, language: str = "", meeting: Activity | None
) -> EmailMultiAlternatives:
    """The message, rendered and addressed, not yet sent."""
    template = pick_template(template_key, language)
    addresses = recipients(record, to)
    if not addresses:
        raise ValidationFailed.field(
            "to", "Nobody to send to: the record has no contact with an email address."
        )
    values = context.merge_fields(record, meeting=meeting)
    with translation.override(template.language):  # day and month names in the email's language
        subject = " ".join(render(template.subject, values).split())
        text = render(template.body, values)
        html = linebreaks(render(template.body, values, html=True))
    owner = record.owner
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
        reply_to=[owner.email] if owner.email else [],
    )
    message.attach_alternative(html, "text/html")
    if template.attach_invite:
        if meeting is None or meeting.due_at is None:
            raise ValidationFailed.field("meeting", "This email needs a meeting with a time.")
        invite = invites.meeting_invite(
            meeting,
            organizer_email=owner.email or settings.DEFAULT_FROM_EMAIL,
            organizer_name=owner.display_name,
            attendees=addresses,
            summary=meeting.subject or subject,
            description=text,
        )
        message.attach("invite.ics", invite, "text/calendar; method=REQUEST")
    return message


def send(
    record: Any,
    *,
    actor: Any,
    template_key: str,
    to: str,
    language: str = "",
    meeting: Activity | None = None,
) -> str:
    """Send one templated email, then log it as a done outbound email activity.

    Sending comes first so no transaction is open while the mail server answers;
    a failed send leaves nothing behind and the retry starts clean.
    """
    message = compose(record, template_key=template_key, to=to, language=language, meeting=meeting)
    message.send()
    activity_services.activity_create(
        actor=actor,
        data={
            "kind": Activity.Kind.EMAIL,
            "direction": Activity.Direction.OUTBOUND,
            "subject": message.subject[:200],
            "body": str(message.body),
            "done_at": timezone.now(),
            "owner_id": record.owner_id,
            **activity_links(record),
        },
    )
    return f"Sent “{message.subject}” to {', '.join(message.to)}"
