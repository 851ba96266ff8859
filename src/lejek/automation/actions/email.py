"""Send an email from a template to the record's contact, its owner or an address."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from lejek.automation import mail
from lejek.automation.actions.base import Action, Context, Params
from lejek.automation.models import EmailTemplate
from lejek.core.errors import ValidationFailed


class SendEmailParams(Params):
    template: str = Field(..., min_length=1, max_length=60)
    to: str = Field("contact", min_length=1, max_length=254)
    language: str = Field("", max_length=8)


class SendEmail(Action):
    type = "send_email"
    label = _("Send an email from a template")
    params = SendEmailParams
    external = True

    def check(self, params: Any, entity_type: str) -> None:
        if not EmailTemplate.objects.filter(key=params.template).exists():
            raise ValidationFailed.field("template", f"No email template '{params.template}'.")
        if params.to not in mail.RECIPIENTS:
            try:
                validate_email(params.to)
            except ValidationError as exc:
                raise ValidationFailed.field(
                    "to", "Use 'contact', 'owner' or an email address."
                ) from exc

    def describe(self, ctx: Context, params: Any) -> str:
        message = mail.compose(
            ctx.record,
            template_key=params.template,
            to=params.to,
            language=params.language,
            meeting=ctx.meeting,
        )
        invite = " with a calendar invitation" if message.attachments else ""
        return f"Send “{message.subject}” to {', '.join(message.to)}{invite}"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        return mail.send(
            ctx.record,
            actor=ctx.actor,
            template_key=params.template,
            to=params.to,
            language=params.language,
            meeting=ctx.meeting,
        )
