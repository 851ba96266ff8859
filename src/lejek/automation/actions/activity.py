"""Create a task or another activity on the record, with a due time relative to now."""

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from lejek.activities import services as activity_services
from lejek.automation import business_days, mail
from lejek.automation.actions.base import Action, Context, Params
from lejek.automation.models import Offset
from lejek.core.errors import ValidationFailed


class CreateActivityParams(Params):
    kind: Literal["task", "call", "meeting", "email", "deadline", "note"] = "task"
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=5000)
    due_in: int | None = Field(None, ge=-3650, le=3650)
    due_unit: Offset = Offset.BUSINESS_DAYS


class CreateActivity(Action):
    type = "create_activity"
    label = _("Create a task or activity")
    params = CreateActivityParams

    def check(self, params: Any, entity_type: str) -> None:
        mail.check_syntax(params.subject, "subject")
        mail.check_syntax(params.body, "body")
        if params.kind == "note" and params.due_in is not None:
            raise ValidationFailed.field("due_in", "A note cannot have a due time.")

    def _values(self, ctx: Context, params: Any) -> dict[str, Any]:
        fields = ctx.merge_fields()
        due_at = None
        if params.due_in is not None:
            due_at = business_days.apply_offset(ctx.now, params.due_in, params.due_unit)
        return {
            "kind": params.kind,
            "subject": " ".join(mail.render(params.subject, fields).split())[:200],
            "body": mail.render(params.body, fields),
            "due_at": due_at,
            "owner_id": ctx.record.owner_id,
            **mail.activity_links(ctx.record),
        }

    def describe(self, ctx: Context, params: Any) -> str:
        values = self._values(ctx, params)
        due = f", due {values['due_at']:%Y-%m-%d %H:%M}" if values["due_at"] else ""
        return f"Create {params.kind} “{values['subject']}”{due}"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        values = self._values(ctx, params)
        activity = activity_services.activity_create(actor=ctx.actor, data=values)
        due = f", due {activity.due_at:%Y-%m-%d %H:%M}" if activity.due_at else ""
        return f"Created {params.kind} “{activity.subject}”{due}"
