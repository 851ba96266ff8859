"""Commission statements: golden example 4 end to end, freezing, adjustments, clawbacks."""

from decimal import Decimal as D

import pytest

from lejek.core.errors import Conflict, Forbidden, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.pipelines import services as pipeline_services
from lejek.salesops import plans, statements
from lejek.salesops.models import Statement, StatementLine
from lejek.salesops.tests.helpers import History, clock, month, pipeline, plan_for, t, won_deal

pytestmark = pytest.mark.django_db

JAN = month("2025-01")


def test_golden_example_4_statements(admin, manager, owner, teammate) -> None:
    """Junior (target 10,000): 12,000 won → 1,200; 9,000 → nothing (cliff); senior (target
    25,000): 25,000 won → 2,500. Every counted deal is listed."""
    p = pipeline(admin)
    plan_for(admin, owner, name="Junior", target="10000")
    plan_for(admin, teammate, name="Senior", target="25000")
    won_deal(owner, p, 7000, "2025-01-02", "2025-01-10")
    won_deal(owner, p, 5000, "2025-01-03", "2025-01-31")
    won_deal(owner, p, 4000, "2025-01-03", "2025-02-01")  # February: not counted
    won_deal(teammate, p, 25000, "2025-01-03", "2025-01-15")
    computed = {s.rep_id: s for s in statements.statements_compute(actor=manager, month=JAN)}
    junior, senior = computed[owner.pk], computed[teammate.pk]
    assert (junior.revenue, junior.commission, junior.total_pay) == (D(12000), D(1200), D(4200))
    assert sorted(line.revenue for line in statements.statement_lines(junior).lines) == [
        D(5000),
        D(7000),
    ]
    assert (senior.revenue, senior.commission) == (D(25000), D(2500))
    # Another junior who wins 9,000 earns nothing under the cliff plan.
    plans.plan_assign(actor=admin, user=manager, plan=junior.plan)
    won_deal(manager, p, 9000, "2025-01-04", "2025-01-20")
    other = statements.statement_compute(actor=admin, rep=manager, month=JAN)
    assert (other.revenue, other.commission, other.total_pay) == (D(9000), D(0), D(3000))


def test_who_may_compute_and_approve(admin, manager, owner, outsider, other_manager) -> None:
    plan_for(admin, owner, manager)
    with pytest.raises(Forbidden):
        statements.statement_compute(actor=owner, rep=owner, month=JAN)
    with pytest.raises(Forbidden):
        statements.statement_compute(actor=other_manager, rep=owner, month=JAN)
    with pytest.raises(ValidationFailed):
        statements.statement_compute(actor=admin, rep=outsider, month=JAN)  # no plan
    own = statements.statement_compute(actor=manager, rep=manager, month=JAN)
    with pytest.raises(Forbidden):
        statements.statement_approve(actor=manager, statement=own, version=own.version)
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    approved = statements.statement_approve(actor=manager, statement=s, version=s.version)
    assert approved.is_frozen and approved.approved_by == manager
    with pytest.raises(Conflict):
        statements.statement_approve(actor=manager, statement=approved, version=approved.version)


def test_approved_statement_is_frozen_and_reopen_claws_back(admin, manager, owner) -> None:
    p = pipeline(admin)
    plan = plan_for(admin, owner, target="10000")
    big = won_deal(owner, p, 8000, "2025-01-02", "2025-01-10")
    won_deal(owner, p, 4000, "2025-01-02", "2025-01-12")
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    s = statements.statement_approve(actor=manager, statement=s, version=s.version)
    frozen = list(s.lines.values_list("pk", "revenue"))
    assert s.commission == D(1200)

    # A plan change after approval does not touch the approved statement.
    plans.plan_update(actor=admin, plan=plan, data={"rate": D("0.2")}, version=plan.version)
    # The 8,000 deal is reopened in February: January falls below target.
    with clock(t("2025-02-05")):
        big.refresh_from_db()
        pipeline_services.deal_reopen(actor=owner, deal=big, version=big.version)
    again = statements.statement_compute(actor=manager, rep=owner, month=JAN)  # reconciles
    assert again.pk == s.pk and again.status == Statement.Status.APPROVED
    assert list(again.lines.filter(is_adjustment=False).values_list("pk", "revenue")) == frozen
    adjustments = list(again.lines.filter(is_adjustment=True).order_by("pk"))
    assert [(a.kind, a.revenue, a.commission) for a in adjustments] == [
        (StatementLine.Kind.CLAWBACK, D(-8000), D(0)),
        (StatementLine.Kind.COMMISSION, D(0), D(-1200)),  # under the frozen 10 % terms
    ]
    assert again.commission == D(1200) and again.adjustments == D(-1200)
    assert again.total_pay == D(3000)
    assert (
        AuditEntry.objects.filter(
            entity_type="statement", entity_id=s.pk, field="adjustment"
        ).count()
        == 2
    )
    # Running it again adds nothing.
    statements.statement_reconcile(actor=manager, statement=again)
    assert again.lines.filter(is_adjustment=True).count() == 2

    # Won again in February: January stays clawed back; February counts it.
    with clock(t("2025-02-10")):
        big.refresh_from_db()
        pipeline_services.deal_mark_won(actor=owner, deal=big, version=big.version)
    assert statements.statement_reconcile(actor=None, statement=again).lines.count() == 4
    feb = statements.statement_compute(actor=manager, rep=owner, month=month("2025-02"))
    assert feb.revenue == D(8000) and feb.commission == D(0)


def test_amount_change_and_late_deal_after_approval(admin, manager, owner) -> None:
    p = pipeline(admin)
    plan_for(admin, owner, target="10000")
    deal = won_deal(owner, p, 10000, "2025-01-02", "2025-01-10")
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    s = statements.statement_approve(actor=manager, statement=s, version=s.version)
    deal.refresh_from_db()
    with clock(t("2025-02-02")):
        pipeline_services.deal_update(
            actor=owner,
            deal=deal,
            data={"amount": D("9999.99")},
            version=deal.version,
        )
    s = statements.statement_reconcile(actor=manager, statement=s)
    kinds = [(a.kind, a.revenue, a.commission) for a in s.lines.filter(is_adjustment=True)]
    assert kinds == [
        (StatementLine.Kind.CHANGE, D("-0.01"), D(0)),
        (StatementLine.Kind.COMMISSION, D(0), D(-1000)),  # one cent below target: the cliff
    ]
    h = History(owner, p)
    late = h.deal("2025-01-05", amount=500, currency="USD")
    with clock(t("2025-01-20")):
        late.refresh_from_db()
        # Won in January, recorded later (imported): counted as a late line.
        pipeline_services.deal_mark_won(actor=owner, deal=late, version=late.version)
    s = statements.statement_reconcile(actor=manager, statement=s)
    assert s.lines.filter(kind=StatementLine.Kind.LATE).get().revenue == D(500)
    assert s.commission + s.adjustments == D("1050.00")


def test_statements_are_computed_in_a_constant_number_of_queries(
    admin, manager, owner, teammate, django_assert_max_num_queries
) -> None:
    """Reps, plans, the month's statements, the won deals, then the writes in bulk: the same
    number of queries for one rep with one deal as for three reps with many, first computed
    or recomputed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = pipeline(admin)
    plan_for(admin, owner, teammate, manager)
    won_deal(owner, p, 1000, "2025-01-02", "2025-01-10")
    with CaptureQueriesContext(connection) as one:
        statements.statements_compute(actor=admin, month=JAN, team_id=owner.team_id)
    Statement.objects.all().delete()
    for rep in (owner, teammate, manager):
        for n in range(6):
            won_deal(rep, p, 1000 + n, "2025-01-02", f"2025-01-{10 + n}")
    with django_assert_max_num_queries(len(one)):
        found = statements.statements_compute(actor=admin, month=JAN, team_id=owner.team_id)
    # by rep id: manager, owner, teammate
    assert [len(statements.statement_lines(s).lines) for s in found] == [6, 7, 6]
    with django_assert_max_num_queries(len(one)):  # recomputing the drafts
        again = statements.statements_compute(actor=admin, month=JAN, team_id=owner.team_id)
    assert [s.version for s in again] == [2, 2, 2]
    assert [s.revenue for s in again] == [s.revenue for s in found]
    assert StatementLine.objects.count() == 0  # drafts store no lines
    assert len(one) <= 14  # incl. the highest ids of statements and audit entries (SQLite)


def test_a_draft_approved_meanwhile_is_not_overwritten(admin, manager, owner) -> None:
    p = pipeline(admin)
    plan_for(admin, owner)
    won_deal(owner, p, 1000, "2025-01-02", "2025-01-10")
    stale = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    statements.statement_approve(
        actor=manager, statement=Statement.objects.get(pk=stale.pk), version=stale.version
    )
    with pytest.raises(Conflict):
        statements._update_drafts([stale])
    assert Statement.objects.get(pk=stale.pk).status == Statement.Status.APPROVED


def test_lines_convert_at_the_rate_of_the_local_day_won(admin, manager, owner) -> None:
    """Each deal at the rate in force on the day it was won in the site's time zone (a rate
    starting mid-month applies from that local midnight); no rate or no amount counts 0 and
    says why. The line keeps the deal's own date, amount and currency."""
    import datetime

    from lejek.analytics.filters import Period
    from lejek.analytics.models import ExchangeRate
    from lejek.analytics.rates import RateTable, to_money
    from lejek.salesops import selectors

    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency="EUR", rate=D("1.1"), valid_from=datetime.date(2024, 12, 1)),
            ExchangeRate(currency="EUR", rate=D("1.2345"), valid_from=datetime.date(2025, 1, 15)),
        ]
    )
    p = pipeline(admin)
    plan_for(admin, owner)
    h = History(owner, p)
    deals = []
    for amount, currency, won in [
        ("10.50", "USD", "2025-01-01T00:30:00"),  # 01:30 in Warsaw: January
        ("100.00", "EUR", "2025-01-14T22:59:59"),  # 23:59:59 in Warsaw: the old rate
        ("100.01", "EUR", "2025-01-14T23:00:00"),  # midnight in Warsaw: the new rate
        ("50", "CHF", "2025-01-20"),  # no rate
        (None, "USD", "2025-01-21"),
        ("999.99", "EUR", "2025-01-31T22:30:00"),  # 23:30 in Warsaw: still January
        ("7", "EUR", "2025-01-31T23:00:00"),  # February in Warsaw
    ]:
        deals.append(h.won(h.deal("2024-12-20", amount=amount, currency=currency), won))
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    lines = statements.statement_lines(s).lines
    assert [(ln.revenue, ln.note) for ln in lines] == [
        (D("10.50"), ""),
        (D("110.00"), ""),
        (D("123.46"), ""),  # 123.462345
        (D("0.00"), "No exchange rate for CHF"),
        (D("0.00"), "No amount"),
        (D("1234.49"), ""),  # 1234.487655
    ]
    assert [(ln.deal_id, ln.closed_at, ln.amount, ln.amount_currency) for ln in lines] == [
        (d.pk, d.closed_at, d.amount, d.currency) for d in deals[:6]
    ]
    assert s.revenue == D("1478.45")
    # Approval stores exactly these lines (the dates and amounts back from the database).
    approved = statements.statement_approve(actor=manager, statement=s, version=s.version)
    assert [_line_values(ln) for ln in approved.lines.all()] == [_line_values(ln) for ln in lines]
    # The same as converting each deal on its own day.
    rates = RateTable.load()
    for deal in selectors.won_deals([owner.pk], Period(JAN, JAN), rates):
        factor = rates.today_factor(deal.currency, selectors.local_day(deal.closed_at))
        expected = to_money(deal.amount * factor) if deal.amount and factor else D("0.00")
        assert deal.revenue == expected


def test_won_deals_of_no_reps_is_empty() -> None:
    """A team with no reps (or a scope that leaves none) reads nothing and fails nothing."""
    from lejek.analytics.filters import Period
    from lejek.salesops import selectors

    period = Period(month("2025-01"), month("2025-01"))
    assert selectors.won_deal_rows([], period) == []
    assert selectors.won_revenue([], period) == {}


def test_a_drafts_digest_records_the_deals_its_figures_came_from(
    admin, manager, owner, teammate
) -> None:
    """A recompute that finds the deals, titles, amounts and rates as they were gives the same
    digest; any difference (a deal renamed; a new rate, for every draft) makes the draft
    stale until it is recomputed. The lines shown are always the deals as they are now."""
    import datetime

    from lejek.analytics.models import ExchangeRate

    p = pipeline(admin)
    plan_for(admin, owner, teammate)
    renamed = won_deal(owner, p, 1000, "2025-01-02", "2025-01-10")
    won_deal(owner, p, 2000, "2025-01-02", "2025-01-11")
    h = History(teammate, p)
    h.won(h.deal("2025-01-02", amount="300", currency="EUR", title="Euro deal"), "2025-01-12")
    ExchangeRate.objects.create(
        currency="EUR", rate=D("1.1"), valid_from=datetime.date(2024, 12, 1)
    )

    def drafts() -> dict[int, Statement]:
        return {s.rep_id: s for s in statements.statements_compute(actor=admin, month=JAN)}

    def shown(rep_id: int) -> tuple[bool, list[tuple[str, D]]]:
        found = statements.statement_lines(Statement.objects.get(rep_id=rep_id, month=JAN))
        return found.stale, [(line.deal_title, line.revenue) for line in found.lines]

    first = drafts()
    again = drafts()
    assert StatementLine.objects.count() == 0
    assert [again[r].version for r in (owner.pk, teammate.pk)] == [2, 2]
    assert again[owner.pk].lines_digest == first[owner.pk].lines_digest != ""
    assert again[teammate.pk].lines_digest == first[teammate.pk].lines_digest != ""
    assert shown(owner.pk) == (False, [("Deal 1000", D(1000)), ("Deal 2000", D(2000))])
    assert shown(teammate.pk) == (False, [("Euro deal", D("330.00"))])

    pipeline_services.deal_update(
        actor=owner, deal=renamed, data={"title": "Renamed"}, version=renamed.version
    )
    assert shown(owner.pk) == (True, [("Renamed", D(1000)), ("Deal 2000", D(2000))])
    assert shown(teammate.pk)[0] is False
    renamed_digest = drafts()[owner.pk].lines_digest
    assert renamed_digest != again[owner.pk].lines_digest
    assert shown(owner.pk)[0] is False

    ExchangeRate.objects.create(currency="EUR", rate=D("1.2"), valid_from=datetime.date(2025, 1, 1))
    # A rate reaches the lines in its currency: that draft is stale, its figures old; the
    # owner's lines (all in USD) read the same, so that draft stays as it was.
    assert shown(teammate.pk) == (True, [("Euro deal", D("360.00"))])
    assert Statement.objects.get(rep_id=teammate.pk).revenue == D("330.00")
    assert shown(owner.pk)[0] is False
    third = drafts()
    assert third[teammate.pk].revenue == D("360.00")
    assert third[owner.pk].lines_digest == renamed_digest
    assert shown(teammate.pk) == (False, [("Euro deal", D("360.00"))])
    assert shown(owner.pk)[0] is False
    assert StatementLine.objects.count() == 0


def _line_values(line: StatementLine) -> tuple[object, ...]:
    return (
        line.kind,
        line.is_adjustment,
        line.deal_id,
        line.deal_title,
        line.closed_at,
        line.amount,
        line.amount_currency,
        line.revenue,
        line.commission,
        line.note,
    )


def test_drafts_store_no_lines_and_approval_stores_the_lines_shown(
    admin, manager, owner, teammate
) -> None:
    """Computing drafts (one rep or a team) writes statements, not lines; approving stores the
    deal lines the draft shows, in their order, and the draft's figures stay as computed."""
    p = pipeline(admin)
    plan_for(admin, owner, teammate)
    won_deal(owner, p, 7000, "2025-01-02", "2025-01-20")
    won_deal(owner, p, 5000, "2025-01-02", "2025-01-10")
    won_deal(teammate, p, 3000, "2025-01-02", "2025-01-15")
    computed = {s.rep_id: s for s in statements.statements_compute(actor=manager, month=JAN)}
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    assert StatementLine.objects.count() == 0
    shown = statements.statement_lines(s)
    assert not shown.stale and all(line.pk is None for line in shown.lines)
    assert [(ln.kind, ln.deal_title, ln.amount, ln.revenue) for ln in shown.lines] == [
        (StatementLine.Kind.DEAL, "Deal 5000", D(5000), D(5000)),
        (StatementLine.Kind.DEAL, "Deal 7000", D(7000), D(7000)),
    ]
    assert s.revenue == D(12000) and s.commission == D(1200)
    other = statements.statement_lines(computed[teammate.pk])
    assert [(ln.deal_title, ln.revenue) for ln in other.lines] == [("Deal 3000", D(3000))]

    approved = statements.statement_approve(actor=manager, statement=s, version=s.version)
    stored = list(approved.lines.all())
    assert [_line_values(ln) for ln in stored] == [_line_values(ln) for ln in shown.lines]
    assert all(ln.pk is not None for ln in stored)
    assert (approved.revenue, approved.commission, approved.adjustments) == (
        D(12000),
        D(1200),
        D(0),
    )
    after = statements.statement_lines(approved)
    assert not after.stale and [ln.pk for ln in after.lines] == [ln.pk for ln in stored]
    assert StatementLine.objects.filter(statement__rep=teammate).count() == 0


def test_a_stale_draft_is_not_approved(admin, manager, owner) -> None:
    """A deal changed after the draft was computed: the draft is stale, approving it is a
    conflict and writes nothing; recomputed, it is approved with the lines it then shows."""
    p = pipeline(admin)
    plan_for(admin, owner)
    deal = won_deal(owner, p, 12000, "2025-01-02", "2025-01-10")
    won_deal(owner, p, 3000, "2025-01-02", "2025-01-11")
    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    deal.refresh_from_db()
    pipeline_services.deal_update(
        actor=owner,
        deal=deal,
        data={"title": "Clinic rollout", "amount": D(8000)},
        version=deal.version,
    )
    shown = statements.statement_lines(s)
    assert shown.stale
    assert [(ln.deal_title, ln.revenue) for ln in shown.lines] == [
        ("Clinic rollout", D(8000)),
        ("Deal 3000", D(3000)),
    ]
    assert s.revenue == D(15000)  # the figures as computed, before the change

    with pytest.raises(Conflict, match="deals changed since this draft was computed"):
        statements.statement_approve(actor=manager, statement=s, version=s.version)
    s.refresh_from_db()
    assert s.status == Statement.Status.DRAFT and s.approved_at is None and s.version == 1
    assert StatementLine.objects.count() == 0
    assert not AuditEntry.objects.filter(
        entity_type="statement", entity_id=s.pk, action=AuditEntry.Action.STATUS_CHANGED
    ).exists()

    s = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    assert (s.revenue, s.commission) == (D(11000), D(1100))
    shown = statements.statement_lines(s)
    assert not shown.stale
    approved = statements.statement_approve(actor=manager, statement=s, version=s.version)
    assert approved.is_frozen
    assert [_line_values(ln) for ln in approved.lines.all()] == [
        _line_values(ln) for ln in shown.lines
    ]
    assert [(ln.deal_title, ln.revenue) for ln in approved.lines.all()] == [
        ("Clinic rollout", D(8000)),
        ("Deal 3000", D(3000)),
    ]


def test_migration_drops_the_lines_drafts_stored(admin, manager, owner, teammate) -> None:
    """Drafts computed before stored their lines; the migration removes those (approval would
    store them again) and keeps an approved statement's."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("lejek.salesops.migrations.0004_drop_draft_statement_lines")
    p = pipeline(admin)
    plan_for(admin, owner, teammate)
    won_deal(owner, p, 1000, "2025-01-02", "2025-01-10")
    won_deal(teammate, p, 2000, "2025-01-02", "2025-01-10")
    found = {s.rep_id: s for s in statements.statements_compute(actor=manager, month=JAN)}
    approved = found[teammate.pk]
    approved = statements.statement_approve(
        actor=manager, statement=approved, version=approved.version
    )
    draft = found[owner.pk]
    StatementLine.objects.create(statement=draft, deal_title="Deal 1000", revenue=D(1000))
    StatementLine.objects.create(statement=draft, deal_title="Deal 1000", revenue=D(1000))
    kept = list(approved.lines.values_list("pk", flat=True))
    assert len(kept) == 1

    migration.drop_draft_lines(apps, None)

    assert not StatementLine.objects.filter(statement=draft).exists()
    assert list(approved.lines.values_list("pk", flat=True)) == kept
    assert [ln.revenue for ln in statements.statement_lines(draft).lines] == [D(1000)]


def test_won_deals_are_read_from_the_covering_index(admin, owner) -> None:
    """On SQLite the month's won deals come from one index, without a lookup of each deal's
    row (at a million deals those lookups were most of a statement run's reading)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lejek.analytics.filters import Period
    from lejek.salesops import selectors

    if connection.vendor != "sqlite":
        pytest.skip("the plan of SQLite's query planner")
    won_deal(owner, pipeline(admin), 1000, "2025-01-02", "2025-01-10")
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.won_deal_rows([owner.pk], Period(JAN, JAN))) == 1
    [sql] = [q["sql"] for q in queries.captured_queries if "pipelines_deal" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX deal_status_closed_cover" in plan, plan


def test_only_a_rate_that_changes_a_line_makes_a_draft_stale(admin, manager, owner) -> None:
    import datetime

    from lejek.analytics import services as analytics_services

    def rate(currency: str, value: str, since: str) -> None:
        analytics_services.rate_create(
            actor=admin,
            currency=currency,
            rate=D(value),
            valid_from=datetime.date.fromisoformat(since),
        )

    p = pipeline(admin)
    plan_for(admin, owner)
    rate("EUR", "1.10", "2024-01-01")
    h = History(owner, p)
    h.won(h.deal("2025-01-02", amount=10000, currency="EUR", title="Euro deal"), "2025-01-10")
    draft = statements.statement_compute(actor=manager, rep=owner, month=JAN)
    assert draft.revenue == D("11000.00")
    rate("GBP", "1.25", "2025-01-01")  # another currency
    rate("EUR", "1.20", "2025-02-01")  # from after the deal was won
    assert not statements.statement_lines(Statement.objects.get(pk=draft.pk)).stale
    rate("EUR", "1.15", "2025-01-05")  # in force the day it was won
    found = statements.statement_lines(Statement.objects.get(pk=draft.pk))
    assert found.stale and [line.revenue for line in found.lines] == [D("11500.00")]
