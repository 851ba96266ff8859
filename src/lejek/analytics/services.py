"""Analytics writes: exchange rates (with re-conversion of the deals they cover), stage roles."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.analytics import summaries
from lejek.analytics.models import NONE_DATE, ExchangeRate, StageRole
from lejek.analytics.rates import reporting_currency
from lejek.core import audit, money
from lejek.core.errors import Conflict, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Stage


def check_rate(currency: str, rate: Decimal, valid_from: datetime.date) -> str:
    """The currency code, upper case, if a rate may be set for it; else ValidationFailed."""
    code = (currency or "").upper()
    if not money.is_currency(code):
        raise ValidationFailed.field("currency", f"Unknown currency '{currency}'.")
    if code == reporting_currency():
        raise ValidationFailed.field(
            "currency", f"{code} is the reporting currency: its rate is always 1."
        )
    if rate is None or rate <= 0:
        raise ValidationFailed.field("rate", "A rate must be greater than zero.")
    if valid_from <= NONE_DATE:
        raise ValidationFailed.field("valid_from", "Choose a date after 1 January 1970.")
    return code


def rate_create(
    *, actor: User, currency: str, rate: Decimal, valid_from: datetime.date
) -> ExchangeRate:
    """Add a dated rate; closed deals of that currency from that date are converted with it."""
    access.require_admin(actor, "set exchange rates")
    code = check_rate(currency, rate, valid_from)
    with transaction.atomic():
        if ExchangeRate.objects.filter(currency=code, valid_from=valid_from).exists():
            raise Conflict(f"{code} already has a rate from {valid_from}; change that one.")
        found = ExchangeRate.objects.create(currency=code, rate=rate, valid_from=valid_from)
        audit.log_created(actor=actor, instance=found, note=f"{code} {rate} from {valid_from}")
        _reconvert(code, valid_from)
    return found


def rate_update(*, actor: User, rate: ExchangeRate, data: dict[str, Any]) -> ExchangeRate:
    """Change a rate's value or start date; the deals it covers are converted again."""
    access.require_admin(actor, "set exchange rates")
    new_rate = data.get("rate", rate.rate)
    new_from = data.get("valid_from", rate.valid_from)
    check_rate(rate.currency, new_rate, new_from)
    with transaction.atomic():
        clash = ExchangeRate.objects.filter(currency=rate.currency, valid_from=new_from)
        if clash.exclude(pk=rate.pk).exists():
            raise Conflict(f"{rate.currency} already has a rate from {new_from}.")
        before = audit.snapshot(rate, ["rate", "valid_from"])
        old_from = rate.valid_from
        rate.rate, rate.valid_from = new_rate, new_from
        rate.save(update_fields=["rate", "valid_from"])
        audit.log_changes(
            actor=actor,
            instance=rate,
            before=before,
            after=audit.snapshot(rate, ["rate", "valid_from"]),
        )
        if new_from != old_from:
            _reconvert(rate.currency, min(old_from, new_from))
    return rate


def rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    access.require_admin(actor, "set exchange rates")
    with transaction.atomic():
        audit.log_event(
            actor=actor,
            instance=rate,
            action=AuditEntry.Action.DELETED,
            note=f"{rate.currency} {rate.rate} from {rate.valid_from}",
        )
        currency, valid_from = rate.currency, rate.valid_from
        rate.delete()
        _reconvert(currency, valid_from)


def _reconvert(currency: str, since: datetime.date) -> None:
    """Which rate applies changed for deals of `currency` closed on or after `since`."""
    summaries.rekey_rates(currency=currency, since=since)


def stage_role_set(*, actor: User, stage: Stage, role: str = StageRole.Role.PROPOSAL) -> StageRole:
    """Mark a stage (reaching it means a proposal was sent); one stage per role and pipeline."""
    access.require_admin(actor, "change stage roles")
    if role not in StageRole.Role.values:
        raise ValidationFailed.field("role", f"Unknown role '{role}'.")
    if stage.removed_at is not None:
        raise ValidationFailed.field("stage_id", "That stage was removed.")
    with transaction.atomic():
        StageRole.objects.filter(stage__pipeline_id=stage.pipeline_id, role=role).exclude(
            stage=stage
        ).delete()
        found, _ = StageRole.objects.update_or_create(stage=stage, defaults={"role": role})
        audit.log_event(
            actor=actor,
            instance=stage,
            action=AuditEntry.Action.UPDATED,
            field="analytics_role",
            new=role,
        )
    return found


def stage_role_clear(*, actor: User, stage: Stage) -> None:
    access.require_admin(actor, "change stage roles")
    with transaction.atomic():
        deleted, _ = StageRole.objects.filter(stage=stage).delete()
        if deleted:
            audit.log_event(
                actor=actor,
                instance=stage,
                action=AuditEntry.Action.UPDATED,
                field="analytics_role",
                new="",
            )
