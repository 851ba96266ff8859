"""Writes to the automation's configuration: email templates and the holiday calendar."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import mail, queue, tasks
from lejek.automation.models import AutomationRun, EmailTemplate, Holiday
from lejek.core import audit
from lejek.core.errors import Conflict, ValidationFailed
from lejek.core.models import AuditEntry

TEMPLATE_FIELDS = ("key", "language", "name", "subject", "body", "attach_invite")


def _check_template(values: dict[str, Any]) -> None:
    for name in ("subject", "body"):
        if name in values:
            mail.check_syntax(values[name], name)
    if "language" in values and not (values["language"] or "").strip():
        raise ValidationFailed.field("language", "Give a language code, e.g. en, pl, ru.")


@transaction.atomic
def email_template_create(*, actor: User, data: dict[str, Any]) -> EmailTemplate:
    access.require_admin(actor, "manage email templates")
    values = {k: data[k] for k in TEMPLATE_FIELDS if k in data}
    _check_template(values)
    if EmailTemplate.objects.filter(key=values["key"], language=values["language"]).exists():
        raise ValidationFailed.field(
            "language", f"Template '{values['key']}' already exists in '{values['language']}'."
        )
    template = EmailTemplate.objects.create(**values)
    audit.log_created(actor=actor, instance=template)
    return template


@transaction.atomic
def email_template_update(
    *, actor: User, template: EmailTemplate, data: dict[str, Any]
) -> EmailTemplate:
    access.require_admin(actor, "manage email templates")
    values = {k: data[k] for k in TEMPLATE_FIELDS if k in data and data[k] is not None}
    _check_template(values)
    clash = EmailTemplate.objects.filter(
        key=values.get("key", template.key), language=values.get("language", template.language)
    ).exclude(pk=template.pk)
    if clash.exists():
        raise ValidationFailed.field("language", "Another template has this key and language.")
    before = audit.snapshot(template, list(values))
    for name, value in values.items():
        setattr(template, name, value)
    template.updated_at = timezone.now()
    template.save()
    audit.log_changes(
        actor=actor, instance=template, before=before, after=audit.snapshot(template, list(values))
    )
    return template


@transaction.atomic
def email_template_delete(*, actor: User, template: EmailTemplate) -> None:
    access.require_admin(actor, "manage email templates")
    audit.log_event(actor=actor, instance=template, action=AuditEntry.Action.DELETED)
    template.delete()


@transaction.atomic
def holiday_add(*, actor: User, date: datetime.date, name: str) -> Holiday:
    """A day off for everybody: business-day offsets skip it from now on."""
    access.require_admin(actor, "change the business calendar")
    if not (name or "").strip():
        raise ValidationFailed.field("name", "Name the holiday.")
    if Holiday.objects.filter(date=date).exists():
        raise ValidationFailed.field("date", f"{date.isoformat()} is already a holiday.")
    holiday = Holiday.objects.create(date=date, name=name.strip())
    audit.log_created(actor=actor, instance=holiday, note=f"{date.isoformat()} {holiday.name}")
    return holiday


@transaction.atomic
def holiday_remove(*, actor: User, holiday: Holiday) -> None:
    access.require_admin(actor, "change the business calendar")
    audit.log_event(
        actor=actor,
        instance=holiday,
        action=AuditEntry.Action.DELETED,
        note=f"{holiday.date.isoformat()} {holiday.name}",
    )
    holiday.delete()


@transaction.atomic
def run_retry(*, actor: User, run: AutomationRun) -> AutomationRun:
    """Give a failed run another full set of attempts, starting where it stopped."""
    access.require_admin(actor, "retry automation runs")
    if run.status != AutomationRun.Status.FAILED:
        raise Conflict("Only a failed run can be retried.")
    AutomationRun.objects.filter(pk=run.pk).update(
        status=AutomationRun.Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        finished_at=None,
    )
    queue.enqueue_on_commit(tasks.execute_run, run.pk)
    run.refresh_from_db()
    return run
