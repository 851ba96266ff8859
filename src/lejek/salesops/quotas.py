"""Quotas: set, change, remove and import a rep's or a team's quota for a month or quarter.

Each service takes keyword arguments including `actor`, checks who may do it, runs in one
transaction and writes the audit log.
"""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.analytics.rates import reporting_currency
from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.salesops.models import Quota

QUOTA_FIELDS = ["user", "team", "kind", "period_start", "amount", "currency"]
MAX_AMOUNT = Decimal("99999999999999.99")


def _may_set_quota(actor: User, *, user: User | None, team: Team | None) -> None:
    if actor.is_admin:
        return
    if actor.is_manager and actor.team_id:
        if team is not None and team.pk == actor.team_id:
            return
        if user is not None and user.team_id == actor.team_id:
            return
    raise Forbidden("Only a team's manager or an administrator may set its quotas.")


def period_start_of(kind: str, day: datetime.date, field: str = "period_start") -> datetime.date:
    if kind not in Quota.Kind.values:
        raise ValidationFailed.field("kind", "Use 'month' or 'quarter'.")
    if day.day != 1:
        raise ValidationFailed.field(field, "A period starts on the first day of a month.")
    if kind == Quota.Kind.QUARTER and day.month % 3 != 1:
        raise ValidationFailed.field(field, "A quarter starts in January, April, July or October.")
    return day


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.field(field, "Give an amount such as 10000 or 10000.50.") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed.field(field, "The amount must be zero or more.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed.field(field, "Use at most two decimal places.")
    return amount.quantize(Decimal("0.01"))


def quota_create(
    *,
    actor: User,
    user: User | None = None,
    team: Team | None = None,
    kind: str,
    period_start: datetime.date,
    amount: Decimal,
    currency: str = "",
) -> Quota:
    """A quota for a rep or for a whole team (one of the two) for a month or quarter."""
    if (user is None) == (team is None):
        raise ValidationFailed.field("user_id", "Give either a rep or a team, not both.")
    _may_set_quota(actor, user=user, team=team)
    quota = Quota(
        user=user,
        team=team,
        kind=kind,
        period_start=period_start_of(kind, period_start),
        amount=parse_amount(amount),
        currency=(currency or reporting_currency()).upper(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            quota.save()
            audit.log_created(actor=actor, instance=quota)
            audit.log_changes(
                actor=actor, instance=quota, before={}, after=audit.snapshot(quota, QUOTA_FIELDS)
            )
    except IntegrityError:
        raise Conflict("There is already a quota for this rep or team and period.") from None
    return quota


def quota_update(*, actor: User, quota: Quota, amount: Decimal, version: int) -> Quota:
    _may_set_quota(actor, user=quota.user, team=quota.team)
    if quota.version != version:
        raise VersionConflict(quota.version)
    before = audit.snapshot(quota, QUOTA_FIELDS)
    new_amount = parse_amount(amount)
    with transaction.atomic():
        updated = Quota.objects.filter(pk=quota.pk, version=version).update(
            amount=new_amount, version=version + 1, updated_at=timezone.now()
        )
        if not updated:
            raise VersionConflict(Quota.objects.get(pk=quota.pk).version)
        quota.amount, quota.version = new_amount, version + 1
        audit.log_changes(
            actor=actor, instance=quota, before=before, after=audit.snapshot(quota, QUOTA_FIELDS)
        )
    return quota


def quota_delete(*, actor: User, quota: Quota) -> None:
    _may_set_quota(actor, user=quota.user, team=quota.team)
    with transaction.atomic():
        audit.log_event(actor=actor, instance=quota, action=AuditEntry.Action.DELETED)
        quota.delete()


PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$", re.IGNORECASE)


def parse_period(text: str, field: str = "period") -> tuple[str, datetime.date]:
    """'2025-03' → a month; '2025-Q2' → a quarter."""
    match = PERIOD.match((text or "").strip())
    if not match:
        raise ValidationFailed.field(field, "Use YYYY-MM for a month or YYYY-Qn for a quarter.")
    year = int(match.group(1))
    if match.group(2):
        return Quota.Kind.MONTH, datetime.date(year, int(match.group(2)), 1)
    return Quota.Kind.QUARTER, datetime.date(year, (int(match.group(3)) - 1) * 3 + 1, 1)


def quotas_import(*, actor: User, text: str) -> dict[str, int]:
    """CSV with columns `user` (username) or `team` (name), `period` (2025-03 or 2025-Q2),
    `amount`, optional `currency`. All rows or none: any bad row rejects the file with every
    problem listed. Existing quotas for the same rep/team and period are updated, so the
    same file can be imported again."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if "period" not in columns or "amount" not in columns or not columns & {"user", "team"}:
        raise ValidationFailed.field(
            "file", "The file needs columns period, amount, and user or team."
        )
    problems: list[str] = []
    parsed: list[dict[str, Any]] = []
    users = {u.username.lower(): u for u in User.objects.filter(is_active=True)}
    teams = {t.name.lower(): t for t in Team.objects.all()}
    for number, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            user = team = None
            if row.get("user"):
                user = users.get(row["user"].lower())
                if user is None:
                    raise ValidationFailed(f"no active user '{row['user']}'")
            elif row.get("team"):
                team = teams.get(row["team"].lower())
                if team is None:
                    raise ValidationFailed(f"no team '{row['team']}'")
            else:
                raise ValidationFailed("give a user or a team")
            kind, start = parse_period(row.get("period", ""))
            amount = parse_amount(row.get("amount", ""))
            _may_set_quota(actor, user=user, team=team)
            currency = (row.get("currency") or reporting_currency()).upper()
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise ValidationFailed("the currency must be a 3-letter code")
        except (ValidationFailed, Forbidden) as exc:
            problems.append(f"Row {number}: {exc.message}")
            continue
        parsed.append(
            {
                "user": user,
                "team": team,
                "kind": kind,
                "start": start,
                "amount": amount,
                "currency": currency,
            }
        )
    if len(parsed) > 5000:
        problems.append("At most 5,000 rows per file.")
    if problems:
        raise ValidationFailed(
            "Nothing was imported: " + "; ".join(problems[:20]), fields={"file": problems[:100]}
        )
    created = updated = 0
    with transaction.atomic():
        for row in parsed:
            existing = Quota.objects.filter(
                user=row["user"], team=row["team"], kind=row["kind"], period_start=row["start"]
            ).first()
            if existing is None:
                quota_create(
                    actor=actor,
                    user=row["user"],
                    team=row["team"],
                    kind=row["kind"],
                    period_start=row["start"],
                    amount=row["amount"],
                    currency=row["currency"],
                )
                created += 1
            elif existing.amount != row["amount"]:
                quota_update(
                    actor=actor, quota=existing, amount=row["amount"], version=existing.version
                )
                updated += 1
    return {"created": created, "updated": updated, "unchanged": len(parsed) - created - updated}
