"""Every write of sales operations: quotas, commission plans and statements, pipeline audits.

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

from lejek.accounts.access import require_admin
from lejek.accounts.models import Team, User
from lejek.analytics.filters import Period
from lejek.analytics.rates import RateTable, reporting_currency
from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.salesops import calc, selectors
from lejek.salesops.models import (
    AuditWeek,
    CommissionAssignment,
    CommissionPlan,
    DealReview,
    Quota,
    Statement,
    StatementLine,
)

QUOTA_FIELDS = ["user", "team", "kind", "period_start", "amount", "currency"]
PLAN_FIELDS = ["name", "base_pay", "rate", "target", "kind", "tiers", "currency", "is_active"]
MAX_AMOUNT = Decimal("99999999999999.99")


# --- quotas ----------------------------------------------------------------------------------


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


def _amount(value: Any, field: str = "amount") -> Decimal:
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
        amount=_amount(amount),
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
    new_amount = _amount(amount)
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
            amount = _amount(row.get("amount", ""))
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


# --- commission plans ------------------------------------------------------------------------


def _plan_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for name in ("base_pay", "target"):
        if name in values:
            values[name] = _amount(values[name], name)
    if "rate" in values:
        rate = Decimal(str(values["rate"]))
        if not rate.is_finite() or not 0 <= rate <= 1:
            raise ValidationFailed.field(
                "rate", "The rate is a share between 0 and 1 (0.1 = 10 %)."
            )
        values["rate"] = rate
    if "kind" in values and values["kind"] not in CommissionPlan.Kind.values:
        raise ValidationFailed.field("kind", "Use 'cliff' or 'linear'.")
    if "tiers" in values:
        try:
            tiers = calc.parse_tiers(values["tiers"] or [])
        except ValueError as exc:
            raise ValidationFailed.field("tiers", str(exc)) from None
        values["tiers"] = [{"above": str(t.above), "rate": str(t.rate)} for t in tiers]
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            raise ValidationFailed.field("name", "Give the plan a name.")
    return values


def plan_create(*, actor: User, data: dict[str, Any]) -> CommissionPlan:
    require_admin(actor, "set up commission plans")
    plan = CommissionPlan(**_plan_values({"currency": reporting_currency(), **data}))
    try:
        with transaction.atomic():
            plan.save()
            audit.log_created(actor=actor, instance=plan)
    except IntegrityError:
        raise ValidationFailed.field("name", "A plan with this name exists.") from None
    return plan


def plan_update(
    *, actor: User, plan: CommissionPlan, data: dict[str, Any], version: int
) -> CommissionPlan:
    """Changes apply to statements computed from now on; approved ones keep their terms."""
    require_admin(actor, "change commission plans")
    if plan.version != version:
        raise VersionConflict(plan.version)
    before = audit.snapshot(plan, PLAN_FIELDS)
    values = _plan_values(data)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.version = version + 1
    try:
        with transaction.atomic():
            updated = CommissionPlan.objects.filter(pk=plan.pk, version=version).update(
                **values, version=version + 1
            )
            if not updated:
                raise VersionConflict(CommissionPlan.objects.get(pk=plan.pk).version)
            audit.log_changes(
                actor=actor, instance=plan, before=before, after=audit.snapshot(plan, PLAN_FIELDS)
            )
    except IntegrityError:
        raise ValidationFailed.field("name", "A plan with this name exists.") from None
    return plan


def plan_assign(*, actor: User, user: User, plan: CommissionPlan) -> CommissionAssignment:
    require_admin(actor, "assign commission plans")
    with transaction.atomic():
        found = CommissionAssignment.objects.filter(user=user).first()
        old = found.plan_id if found else None
        if found is None:
            found = CommissionAssignment.objects.create(user=user, plan=plan)
        else:
            found.plan = plan
            found.assigned_at = timezone.now()
            found.save(update_fields=["plan", "assigned_at"])
        audit.log_event(
            actor=actor,
            instance=found,
            action=AuditEntry.Action.UPDATED,
            field="plan",
            old=old,
            new=plan.pk,
        )
    return found


def terms_of(plan: CommissionPlan) -> calc.Terms:
    return calc.Terms(
        base_pay=plan.base_pay,
        rate=plan.rate,
        target=plan.target,
        kind=plan.kind,
        tiers=calc.parse_tiers(plan.tiers or []),
    )


# --- statements ------------------------------------------------------------------------------


def _may_run_statements(actor: User, rep: User) -> None:
    if actor.is_admin:
        return
    if actor.is_manager and actor.team_id and rep.team_id == actor.team_id:
        return
    raise Forbidden("Only the rep's manager or an administrator may prepare statements.")


def _deal_line(statement: Statement, deal: selectors.WonDeal, **extra: Any) -> StatementLine:
    return StatementLine(
        statement=statement,
        deal_id=deal.deal_id,
        deal_title=deal.title[:200],
        closed_at=deal.closed_at,
        amount=deal.amount,
        amount_currency=deal.currency,
        revenue=deal.revenue,
        note=deal.note,
        **extra,
    )


def statement_compute(
    *, actor: User, rep: User, month: datetime.date, rates: RateTable | None = None
) -> Statement:
    """Compute (or recompute) a rep's draft statement for a month from the deals won in it.
    An approved statement is not rewritten: it is reconciled (see `statement_reconcile`)."""
    _may_run_statements(actor, rep)
    month = month.replace(day=1)
    existing = Statement.objects.filter(rep=rep, month=month).first()
    if existing is not None and existing.is_frozen:
        return statement_reconcile(actor=actor, statement=existing, rates=rates)
    assignment = CommissionAssignment.objects.select_related("plan").filter(user=rep).first()
    plan = assignment.plan if assignment else (existing.plan if existing else None)
    if plan is None:
        raise ValidationFailed.field("rep_id", f"{rep.display_name} has no commission plan.")
    terms = terms_of(plan)
    deals = selectors.won_deals([rep.pk], Period(month, month), rates)
    revenue = sum((d.revenue for d in deals), Decimal("0.00"))
    with transaction.atomic():
        statement = existing or Statement(rep=rep, month=month, plan=plan)
        created = statement.pk is None
        statement.plan = plan
        statement.terms = terms.as_dict()
        statement.currency = plan.currency
        statement.base_pay = terms.base_pay
        statement.revenue = revenue
        statement.commission = calc.commission(terms, revenue)
        statement.adjustments = Decimal("0.00")
        statement.computed_at = timezone.now()
        if not created:
            statement.version += 1
        statement.save()
        statement.lines.all().delete()  # a draft's lines are only ever a projection of the deals
        StatementLine.objects.bulk_create([_deal_line(statement, d) for d in deals])
        if created:
            audit.log_created(actor=actor, instance=statement)
    return statement


def statements_compute(
    *, actor: User, month: datetime.date, team_id: int | None = None
) -> list[Statement]:
    """Drafts for every rep with a plan whom `actor` may prepare statements for."""
    reps = User.objects.filter(is_active=True, commission_assignment__isnull=False)
    if not actor.is_admin:
        if not (actor.is_manager and actor.team_id):
            raise Forbidden("Only managers and administrators prepare statements.")
        reps = reps.filter(team_id=actor.team_id)
    if team_id is not None:
        reps = reps.filter(team_id=team_id)
    rates = RateTable.load()
    return [
        statement_compute(actor=actor, rep=rep, month=month, rates=rates)
        for rep in reps.order_by("pk")
    ]


def statement_approve(*, actor: User, statement: Statement, version: int) -> Statement:
    """Freeze a statement: its lines and amounts never change again."""
    _may_run_statements(actor, statement.rep)
    if statement.rep_id == actor.pk and not actor.is_admin:
        raise Forbidden("Someone other than the rep approves a statement.")
    if statement.is_frozen:
        raise Conflict("This statement is already approved.")
    if statement.version != version:
        raise VersionConflict(statement.version)
    now = timezone.now()
    with transaction.atomic():
        updated = Statement.objects.filter(pk=statement.pk, version=version).update(
            status=Statement.Status.APPROVED,
            approved_at=now,
            approved_by=actor,
            version=version + 1,
        )
        if not updated:
            raise VersionConflict(Statement.objects.get(pk=statement.pk).version)
        audit.log_event(
            actor=actor,
            instance=statement,
            action=AuditEntry.Action.STATUS_CHANGED,
            field="status",
            old=Statement.Status.DRAFT,
            new=Statement.Status.APPROVED,
            note=f"commission {statement.commission}",
        )
    statement.refresh_from_db()
    return statement


def statement_reconcile(
    *, actor: User | None, statement: Statement, rates: RateTable | None = None
) -> Statement:
    """Compare an approved statement with the deals as they are now and append an adjustment
    line for each difference: a clawback for a deal no longer won (reopened, lost, deleted),
    a change for an amount edited after approval, a late line for a deal now counted, and one
    line for the resulting change in commission (under the terms frozen at approval). Safe to
    run again: once in step, nothing is added."""
    if not statement.is_frozen:
        raise Conflict("Only an approved statement is reconciled; recompute a draft instead.")
    terms = calc.Terms.from_dict(statement.terms)
    month = statement.month
    deals = {
        d.deal_id: d for d in selectors.won_deals([statement.rep_id], Period(month, month), rates)
    }
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        lines = list(locked.lines.all())
        counted: dict[int | None, Decimal] = {}
        for line in lines:
            if line.kind != StatementLine.Kind.COMMISSION:
                counted[line.deal_id] = counted.get(line.deal_id, Decimal(0)) + line.revenue
        new_lines: list[StatementLine] = []
        for deal_id, revenue in counted.items():
            if deal_id is None or deal_id in deals or revenue == 0:
                continue
            first = next(ln for ln in lines if ln.deal_id == deal_id)
            new_lines.append(
                StatementLine(
                    statement=locked,
                    kind=StatementLine.Kind.CLAWBACK,
                    is_adjustment=True,
                    deal_id=deal_id,
                    deal_title=first.deal_title,
                    closed_at=first.closed_at,
                    amount=first.amount,
                    amount_currency=first.amount_currency,
                    revenue=-revenue,
                    note="No longer won in this month (reopened, lost or deleted).",
                )
            )
        for deal_id, deal in deals.items():
            before = counted.get(deal_id)
            if before is None:
                new_lines.append(
                    _deal_line(locked, deal, kind=StatementLine.Kind.LATE, is_adjustment=True)
                )
            elif before != deal.revenue:
                line = _deal_line(locked, deal, kind=StatementLine.Kind.CHANGE, is_adjustment=True)
                line.revenue = deal.revenue - before
                line.note = f"Counted {before}, now {deal.revenue}."
                new_lines.append(line)
        revenue_now = sum((d.revenue for d in deals.values()), Decimal("0.00"))
        paid = locked.commission + sum(
            (ln.commission for ln in lines if ln.kind == StatementLine.Kind.COMMISSION),
            Decimal(0),
        )
        due = calc.commission(terms, revenue_now)
        if due != paid:
            new_lines.append(
                StatementLine(
                    statement=locked,
                    kind=StatementLine.Kind.COMMISSION,
                    is_adjustment=True,
                    commission=due - paid,
                    note=f"Commission on {revenue_now} is {due}; {paid} was approved.",
                )
            )
        if new_lines:
            StatementLine.objects.bulk_create(new_lines)
            adjustments = due - locked.commission
            Statement.objects.filter(pk=locked.pk).update(adjustments=adjustments)
            for line in new_lines:
                audit.log_event(
                    actor=actor,
                    instance=locked,
                    action=AuditEntry.Action.UPDATED,
                    field="adjustment",
                    new=f"{line.kind} {line.revenue} / {line.commission}",
                    note=line.note[:300],
                )
    statement.refresh_from_db()
    return statement


def statements_reconcile(*, actor: User | None, since: datetime.date) -> int:
    """Reconcile every approved statement from `since` on; the number of statements adjusted."""
    rates = RateTable.load()
    changed = 0
    for statement in Statement.objects.filter(
        status=Statement.Status.APPROVED, month__gte=since
    ).order_by("pk"):
        before = statement.lines.count()
        statement_reconcile(actor=actor, statement=statement, rates=rates)
        changed += statement.lines.count() != before
    return changed


# --- the weekly pipeline audit ---------------------------------------------------------------


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def audit_week_open(*, team: Team, day: datetime.date) -> tuple[AuditWeek, bool]:
    """The team's audit for the week of `day`, opened if it is not yet (safe to run twice)."""
    from lejek.salesops import audits

    week, created = AuditWeek.objects.get_or_create(team=team, week_start=week_start_of(day))
    if created:
        week.queue_size = audits.open_deals(team_id=team.pk).count()
        week.save(update_fields=["queue_size"])
    return week, created


def review_record(
    *,
    actor: User,
    deal: Any,
    still_qualified: bool,
    next_action: str = "",
    note: str = "",
    day: datetime.date | None = None,
) -> DealReview:
    """Record this week's review of an open deal; the deal's history gets an entry."""
    if deal.status != "open" or deal.deleted_at is not None:
        raise Conflict("Only open deals are reviewed in the pipeline audit.")
    owner = deal.owner
    if not actor.can_manage(owner.pk, owner.team_id):
        raise Forbidden("Only the deal's owner, their manager or an administrator reviews it.")
    if owner.team_id is None:
        raise ValidationFailed.field("deal_id", "The deal's owner is in no team.")
    next_action = (next_action or "").strip()[:300]
    today = day or selectors.local_day(timezone.now())
    with transaction.atomic():
        week, _ = audit_week_open(team=owner.team, day=today)
        review = DealReview.objects.filter(week=week, deal=deal).first()
        fields = ["still_qualified", "next_action", "note", "reviewer"]
        before = audit.snapshot(review, fields) if review else {}
        if review is None:
            review = DealReview(week=week, deal=deal)
        review.still_qualified = still_qualified
        review.next_action = next_action
        review.note = (note or "").strip()
        review.reviewer = actor
        review.reviewed_at = timezone.now()
        review.save()
        audit.log_changes(
            actor=actor, instance=review, before=before, after=audit.snapshot(review, fields)
        )
        audit.log_event(
            actor=actor,
            instance=deal,
            action=AuditEntry.Action.UPDATED,
            field="pipeline_review",
            new="still qualified" if still_qualified else "not qualified",
            note=f"Week of {week.week_start}. Next action: {next_action or '—'}",
        )
    return review
