"""Monthly commission statements: compute drafts, approve (freeze), reconcile approved ones.

Drafts are computed set-based: one query for the reps and their plans, one for their
statements of the month, one for every deal they won in it (per batch of 500 reps), then
the statements and their audit entries are written in bulk (one prepared statement run
over all rows, with ids reserved for new rows), so the number of queries does not grow
with the number of reps or deals.

A draft stores its figures, not its lines: its lines are a projection of the rep's won
deals, read again whenever they are shown (`statement_lines`). The draft keeps a digest of
the deal lines its figures were computed from (`lines_digest`); when the deals read now
give another digest the draft is stale, and it cannot be approved until it is recomputed.
Approval stores the lines (COPY on PostgreSQL) and freezes them with the figures. An
approved statement is never rewritten: later changes to its deals are appended as
adjustment lines (`statement_reconcile`).
"""

import datetime
import gc
import hashlib
import marshal
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from lejek.accounts.models import User
from lejek.analytics.filters import Period
from lejek.analytics.rates import RateTable
from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.demo import bulk
from lejek.salesops import calc, selectors
from lejek.salesops.models import CommissionAssignment, CommissionPlan, Statement, StatementLine
from lejek.salesops.plans import terms_of

REPS_PER_QUERY = 500  # reps whose won deals are read in one query


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


def won_by_rep(
    rep_ids: Sequence[int], month: datetime.date, rates: RateTable
) -> dict[int, list[selectors.WonRow]]:
    """Every deal each rep won in the month: one query per `REPS_PER_QUERY` reps."""
    found: dict[int, list[selectors.WonRow]] = defaultdict(list)
    for part in batched(rep_ids, REPS_PER_QUERY):
        for deal in selectors.won_deal_rows(part, Period(month, month), rates):
            found[deal.owner_id].append(deal)
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hundreds of thousands of rows are built and dropped at once, none of them in a cycle:
    the garbage collector's passes over them (the more, the longer) would cost about a third
    of the work. Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_collector_paused()
def _write_drafts(
    *,
    actor: User,
    month: datetime.date,
    plans: dict[int, CommissionPlan],
    existing: dict[int, Statement],
    rates: RateTable,
) -> dict[int, Statement]:
    """Compute (or recompute) the draft statement of each rep in `plans` (rep id → plan) for
    the month, in a constant number of queries. `existing` holds the reps' drafts of the
    month (none of them approved). Only the statements are written, each with the digest of
    the deal lines it was computed from; a draft's lines are never stored."""
    rep_ids = sorted(plans)
    deals = won_by_rep(rep_ids, month, rates)
    now = timezone.now()
    terms = {plan.pk: terms_of(plan) for plan in plans.values()}
    created: list[Statement] = []
    changed: list[Statement] = []
    fingerprint = _Fingerprint(rates)
    for rep_id in rep_ids:
        plan = plans[rep_id]
        plan_terms = terms[plan.pk]
        won = deals.get(rep_id, [])
        revenue = sum((d.revenue for d in won), Decimal("0.00"))
        digest = fingerprint.of(won)
        statement = existing.get(rep_id)
        if statement is None:
            statement = Statement(rep_id=rep_id, month=month)
            created.append(statement)
        else:
            statement.version += 1
            changed.append(statement)
        statement.lines_digest = digest
        statement.plan = plan
        statement.terms = plan_terms.as_dict()
        statement.currency = plan.currency
        statement.base_pay = plan_terms.base_pay
        statement.revenue = revenue
        statement.commission = calc.commission(plan_terms, revenue)
        statement.adjustments = Decimal("0.00")
        statement.computed_at = now
    with transaction.atomic():
        if changed:
            _update_drafts(changed)
        if created:
            _insert_new(Statement, created)
            _insert_new(
                AuditEntry,
                [
                    AuditEntry(
                        entity_type=audit.entity_type_of(s),
                        entity_id=s.pk,
                        action=AuditEntry.Action.CREATED,
                        actor=actor,
                        at=now,
                    )
                    for s in created
                ],
            )
    return {s.rep_id: s for s in (*created, *changed)}


# The ORM's bulk_create and bulk_update spend far longer building SQL for thousands of rows
# than the database spends storing them, so the drafts' rows are written as plain values:
# changed drafts with one UPDATE run over all of them (executemany), new rows through
# `bulk` (many rows per INSERT on SQLite, COPY on PostgreSQL); so are the lines stored at
# approval.


class _Fingerprint:
    """A digest of a statement's deal lines, as read: what a draft's figures were computed
    from, compared with the deals read again to tell whether the draft is stale. A line is a
    function of its deal's id, title, close time, amount and currency (as read), of the rate
    in force when it closed (its revenue) and of the reporting currency and time zone (its
    note): the digest covers exactly those, so a rate for another currency or period leaves
    the draft as it was. On SQLite the values read are plain text and numbers, which
    marshal's format 2 writes by value alone (no back-references), so equal lines always
    give equal bytes; elsewhere (Decimals, datetimes) their repr is used."""

    def __init__(self, rates: RateTable) -> None:
        self.head = repr((settings.TIME_ZONE, rates.reporting))

    def of(self, rows: Sequence[selectors.WonRow]) -> str:
        # deal, owner, title, closed_at, amount, currency, revenue (as text), note
        raw = [(*row[:6], str(row.revenue), row.note) for row in rows]
        try:
            body = marshal.dumps(raw, 2)
        except ValueError:
            body = repr(raw).encode()
        return hashlib.blake2b(self.head.encode() + body, digest_size=16).hexdigest()


PLAN_FIELDS = ("plan", "terms", "currency", "base_pay")  # the same for every draft of a plan
DRAFT_FIELDS = (
    *PLAN_FIELDS,
    "revenue",
    "commission",
    "adjustments",
    "computed_at",
    "version",
    "lines_digest",
)
LINE_FIELDS = (
    "statement",
    "kind",
    "is_adjustment",
    "deal",
    "deal_title",
    "closed_at",
    "amount",
    "amount_currency",
    "revenue",
    "commission",
    "note",
    "created_at",
)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    found = [model._meta.get_field(name) for name in names]
    assert all(isinstance(f, models.Field) and f.concrete for f in found)
    return found  # type: ignore[return-value]


def _insert_new(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT new objects with ids reserved for them (inside the transaction, which on SQLite
    holds the write lock), each value prepared once per column kind (`bulk.insert_rows`)."""
    names = [f.attname for f in model._meta.concrete_fields]
    for obj, pk in zip(objects, bulk.reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
    bulk.insert_rows(model, [{name: getattr(obj, name) for name in names} for obj in objects])


def _update_drafts(drafts: list[Statement]) -> None:
    """Write the drafts' new figures; a statement approved meanwhile is a conflict. The
    values a plan gives (plan, terms, currency, base pay) and the time are prepared once."""
    qn = connection.ops.quote_name
    fields = _fields(Statement, DRAFT_FIELDS)
    assigned = ", ".join(f"{qn(str(f.column))} = %s" for f in fields)
    sql = (
        f"UPDATE {qn(Statement._meta.db_table)} SET {assigned} "  # noqa: S608
        f"WHERE {qn('id')} = %s AND {qn('status')} = %s"
    )
    by_plan: dict[int, tuple[Any, ...]] = {}
    computed_at = connection.ops.adapt_datetimefield_value(drafts[0].computed_at)
    rows = []
    for s in drafts:
        of_plan = by_plan.get(s.plan_id)
        if of_plan is None:
            of_plan = by_plan[s.plan_id] = tuple(
                f.get_db_prep_save(getattr(s, f.attname), connection)
                for f in fields[: len(PLAN_FIELDS)]
            )
        rows.append(
            (*of_plan, s.revenue, s.commission, s.adjustments, computed_at, s.version,
             s.lines_digest, s.pk, Statement.Status.DRAFT.value)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        if cursor.rowcount >= 0 and cursor.rowcount != len(rows):
            raise Conflict("A statement was approved while it was being recomputed; try again.")


def _insert_lines(lines: list[tuple[int, selectors.WonRow]], now: datetime.datetime) -> None:
    """A `deal` line for each (statement id, won deal), in order: the lines a statement
    freezes when approved. The deals' dates and amounts go back to the database as it
    returned them: no conversion either way."""
    if not lines:
        return
    fields = _fields(StatementLine, LINE_FIELDS)
    kind = StatementLine.Kind.DEAL.value
    created_at = connection.ops.adapt_datetimefield_value(now)
    # Values of the types the driver takes as they are. On SQLite decimals go as text (what
    # its adapter would make of them, without a call back into Python per value).
    postgres = connection.vendor == "postgresql"
    no, zero = (False, Decimal("0.00")) if postgres else (0, str(Decimal("0.00")))
    money: Any = (lambda value: value) if postgres else str
    rows = [
        (
            statement_id,
            kind,
            no,
            deal.deal_id,
            deal.title[:200],
            deal.closed_at,
            deal.amount,
            deal.currency,
            money(deal.revenue),
            zero,
            deal.note,
            created_at,
        )
        for statement_id, deal in lines
    ]
    bulk.insert_prepared(
        bulk.Prepared(StatementLine._meta.db_table, [str(f.column) for f in fields], rows)
    )


@dataclass(frozen=True, slots=True)
class StatementLines:
    """A statement's lines as shown and exported. `stale`: a draft whose deals changed since
    it was computed (its figures no longer match these lines); never for an approved one."""

    lines: list[StatementLine]
    stale: bool = False


def _read_now(statement: Statement, rates: RateTable) -> tuple[list[selectors.WonRow], bool]:
    """The rep's won deals of the statement's month as read now, in line order, and whether
    they differ from those the draft's figures were computed from (it is stale)."""
    month = statement.month
    rows = selectors.won_deal_rows([statement.rep_id], Period(month, month), rates)
    return rows, _Fingerprint(rates).of(rows) != statement.lines_digest


def statement_lines(statement: Statement, rates: RateTable | None = None) -> StatementLines:
    """An approved statement's stored lines; for a draft, unsaved `deal` lines built from the
    rep's won deals of the month read now (the same lines approval would store), and whether
    they differ from those the draft's figures were computed from."""
    if statement.is_frozen:
        return StatementLines(list(statement.lines.all()))
    rows, stale = _read_now(statement, rates or RateTable.load())
    now = timezone.now()
    lines = [_deal_line(statement, deal, created_at=now) for deal in selectors.won_deals_of(rows)]
    return StatementLines(lines, stale)


def statement_compute(
    *, actor: User, rep: User, month: datetime.date, rates: RateTable | None = None
) -> Statement:
    """Compute (or recompute) a rep's draft statement for a month from the deals won in it.
    An approved statement is not rewritten: it is reconciled (see `statement_reconcile`)."""
    _may_run_statements(actor, rep)
    month = month.replace(day=1)
    rates = rates or RateTable.load()
    existing = Statement.objects.filter(rep=rep, month=month).first()
    if existing is not None and existing.is_frozen:
        return statement_reconcile(actor=actor, statement=existing, rates=rates)
    assignment = CommissionAssignment.objects.select_related("plan").filter(user=rep).first()
    plan = assignment.plan if assignment else (existing.plan if existing else None)
    if plan is None:
        raise ValidationFailed.field("rep_id", f"{rep.display_name} has no commission plan.")
    drafts = _write_drafts(
        actor=actor,
        month=month,
        plans={rep.pk: plan},
        existing={rep.pk: existing} if existing else {},
        rates=rates,
    )
    return drafts[rep.pk]


def statements_compute(
    *, actor: User, month: datetime.date, team_id: int | None = None
) -> list[Statement]:
    """Statements for every rep with a plan whom `actor` may prepare statements for: drafts
    computed together (a constant number of queries, whatever the number of reps and deals),
    approved ones reconciled one by one. Ordered by rep."""
    month = month.replace(day=1)
    reps = User.objects.filter(is_active=True, commission_assignment__isnull=False)
    if not actor.is_admin:
        if not (actor.is_manager and actor.team_id):
            raise Forbidden("Only managers and administrators prepare statements.")
        reps = reps.filter(team_id=actor.team_id)
    if team_id is not None:
        reps = reps.filter(team_id=team_id)
    plans = dict(reps.values_list("pk", "commission_assignment__plan_id"))
    if not plans:
        return []
    rates = RateTable.load()
    by_id = CommissionPlan.objects.in_bulk(set(plans.values()))
    found: dict[int, Statement] = {}
    drafts: dict[int, Statement] = {}
    approved: list[Statement] = []
    for part in batched(sorted(plans), REPS_PER_QUERY):
        for statement in Statement.objects.filter(month=month, rep_id__in=part):
            if statement.is_frozen:
                approved.append(statement)
            else:
                drafts[statement.rep_id] = statement
    frozen = {s.rep_id for s in approved}
    found.update(
        _write_drafts(
            actor=actor,
            month=month,
            plans={rep: by_id[plan] for rep, plan in plans.items() if rep not in frozen},
            existing=drafts,
            rates=rates,
        )
    )
    for statement in approved:
        found[statement.rep_id] = statement_reconcile(actor=actor, statement=statement, rates=rates)
    return [found[rep] for rep in sorted(found)]


def statement_approve(*, actor: User, statement: Statement, version: int) -> Statement:
    """Freeze a statement: its figures and the lines read now (the lines shown for the draft)
    are stored and never change again. A draft whose deals changed since it was computed is
    refused: its figures would not match the lines."""
    _may_run_statements(actor, statement.rep)
    if statement.rep_id == actor.pk and not actor.is_admin:
        raise Forbidden("Someone other than the rep approves a statement.")
    if statement.is_frozen:
        raise Conflict("This statement is already approved.")
    if statement.version != version:
        raise VersionConflict(statement.version)
    now = timezone.now()
    rates = RateTable.load()
    with transaction.atomic():
        rows, stale = _read_now(statement, rates)
        if stale:
            raise Conflict(
                "The deals changed since this draft was computed; recompute it and review it "
                "before approving."
            )
        updated = Statement.objects.filter(pk=statement.pk, version=version).update(
            status=Statement.Status.APPROVED,
            approved_at=now,
            approved_by=actor,
            version=version + 1,
        )
        if not updated:
            raise VersionConflict(Statement.objects.get(pk=statement.pk).version)
        _insert_lines([(statement.pk, row) for row in rows], now)
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
