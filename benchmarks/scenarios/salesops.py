"""Sales operations (goals: commission statements for 200 reps over 12 months ≤ 2 s at
1,000,000 deals; the weekly audit queue of a 25-rep team ≤ 200 ms).

Only `jobs`, because both need a team the demo does not have (it has two teams of five):

- statements: 200 reps of their own, in a team of their own, on one commission plan (cliff,
  with an accelerator); every deal won in the last 12 complete months is handed to them in
  turn (the real owners are kept and put back afterwards). Timed: `statements_compute` for
  each of the 12 months (first the drafts are created, then the same again as a recompute,
  which reads the deals again and rewrites every draft's figures; drafts store no lines).
  Checked afterwards, untimed: no line stored, every won deal listed once in the drafts'
  lines (`statement_lines`), no draft stale, the revenue counted.
- audit queue: 25 reps of their own in a team of their own, each given
  LEJEK_BENCH_AUDIT_OPEN_PER_REP open deals of the demo (default 40, so 1,000 in the
  queue; put back afterwards); the API and the page timed as an administrator, median of
  LEJEK_BENCH_SALESOPS_REPEAT requests (default 20) after three warm-up requests, and
  once more with 200 open deals per rep.

Everything made is removed and every deal given back to its owner, so a kept database is
left as it was.
"""

import datetime
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

REPS = 200
MONTHS = 12
TEAM_REPS = 25
OPEN_PER_REP = int(os.environ.get("LEJEK_BENCH_AUDIT_OPEN_PER_REP", "40"))
HEAVY_PER_REP = 200
REPEAT = int(os.environ.get("LEJEK_BENCH_SALESOPS_REPEAT", "20"))
WARMUP = 3
MARK = "bench-salesops"
CHUNK = 500


def _chunks(items: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@contextmanager
def _team_of(size: int, name: str) -> Iterator[tuple[Any, list[int]]]:
    """A team of `size` new reps (ids in order), removed afterwards with what they own."""
    from django.contrib.auth.hashers import make_password

    from lejek.accounts.models import Team, User

    unusable = make_password(None)
    team = Team.objects.create(name=f"{MARK} {name}")
    users = [
        User(
            username=f"{MARK}-{name}-{n}",
            first_name="Bench",
            last_name=f"Rep {n:03d}",
            role=User.Role.REP,
            team=team,
            password=unusable,  # nobody signs in as them
        )
        for n in range(size)
    ]
    User.objects.bulk_create(users)
    ids = list(User.objects.filter(team=team).order_by("pk").values_list("pk", flat=True))
    try:
        yield team, ids
    finally:
        User.objects.filter(pk__in=ids).delete()
        team.delete()


@contextmanager
def _lent(deal_ids: list[int], rep_ids: list[int]) -> Iterator[None]:
    """The deals handed to the reps in turn, then given back to their owners."""
    from lejek.pipelines.models import Deal

    owners: dict[int, list[int]] = defaultdict(list)
    for part in _chunks(deal_ids):
        for pk, owner_id in Deal.objects.filter(pk__in=part).values_list("pk", "owner_id"):
            owners[owner_id].append(pk)
    try:
        for n, rep_id in enumerate(rep_ids):
            mine = deal_ids[n :: len(rep_ids)]
            for part in _chunks(mine):
                Deal.objects.filter(pk__in=part).update(owner_id=rep_id)
        yield
    finally:
        for owner_id, pks in owners.items():
            for part in _chunks(pks):
                Deal.objects.filter(pk__in=part).update(owner_id=owner_id)


def statements_job(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    from django.utils import timezone

    from lejek.analytics.filters import Period
    from lejek.analytics.rates import RateTable
    from lejek.core.models import AuditEntry
    from lejek.pipelines.models import Deal
    from lejek.salesops import selectors, statements
    from lejek.salesops.models import CommissionAssignment, CommissionPlan, Statement

    today = selectors.local_day(timezone.now())
    months = [_month_start(today, back) for back in range(MONTHS, 0, -1)]
    start, end = selectors.month_bounds(months[0], months[-1])
    won = list(
        Deal.objects.alive()
        .filter(status=Deal.Status.WON, closed_at__gte=start, closed_at__lt=end)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not won:
        raise unavailable("no deal was won in the last 12 months")
    plan = CommissionPlan.objects.create(
        name=f"{MARK} plan",
        base_pay=Decimal(3000),
        rate=Decimal("0.10"),
        target=Decimal(25000),
        kind=CommissionPlan.Kind.CLIFF,
        tiers=[{"above": "1.5", "rate": "0.15"}],
    )
    try:
        with _team_of(REPS, "statements") as (team, reps), _lent(won, reps):
            CommissionAssignment.objects.bulk_create(
                [CommissionAssignment(user_id=rep, plan=plan) for rep in reps]
            )
            passes = []
            found: list[Any] = []
            for _ in range(2):  # created, then recomputed
                began = time.perf_counter()
                found = [
                    s
                    for month in months
                    for s in statements.statements_compute(
                        actor=admin, month=month, team_id=team.pk
                    )
                ]
                passes.append(time.perf_counter() - began)
            ids = [s.pk for s in found]
            stored = sum(_count_lines(part) for part in _chunks(ids))
            rates = RateTable.load()
            shown = [statements.statement_lines(s, rates) for s in found]
            lines = sum(len(s.lines) for s in shown)
            stale = sum(s.stale for s in shown)
            revenue = sum((s.revenue for s in found), Decimal(0))
            expected = sum(
                (d.revenue for m in months for d in selectors.won_deals(reps, Period(m, m))),
                Decimal(0),
            )
            if (
                len(found) != REPS * MONTHS
                or stored
                or stale
                or lines != len(won)
                or revenue != expected
            ):
                raise unavailable(
                    f"{len(found)} statements, {lines} lines for {len(won)} won deals "
                    f"({stored} stored, {stale} drafts stale)"
                )
            for part in _chunks(ids):
                AuditEntry.objects.filter(entity_type="statement", entity_id__in=part).delete()
                Statement.objects.filter(pk__in=part).delete()
            CommissionAssignment.objects.filter(user_id__in=reps).delete()
    finally:  # after a failure too
        left = list(Statement.objects.filter(plan=plan).values_list("pk", flat=True))
        for part in _chunks(left):
            AuditEntry.objects.filter(entity_type="statement", entity_id__in=part).delete()
        Statement.objects.filter(plan=plan).delete()
        CommissionAssignment.objects.filter(plan=plan).delete()
        plan.delete()
    detail = (
        f"{REPS} reps × {MONTHS} months = {REPS * MONTHS:,} statements, {len(won):,} won "
        f"deals listed ({Deal.objects.count():,} deals in the database)"
    )
    return [
        {
            "name": "commission statements: 200 reps × 12 months, created",
            "value": round(passes[0], 2),
            "unit": "s",
            "detail": detail,
        },
        {
            "name": "commission statements: 200 reps × 12 months, recomputed",
            "value": round(passes[1], 2),
            "unit": "s",
            "detail": detail + "; every draft's figures rewritten from the deals read again",
        },
    ]


def _count_lines(statement_ids: list[int]) -> int:
    from lejek.salesops.models import StatementLine

    return StatementLine.objects.filter(statement_id__in=statement_ids).count()


def _timed(call: Callable[[], Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]
    return {"median": statistics.median(samples), "p90": p90, "queries": len(queries)}


def audit_job(admin: Any, unavailable: type[Exception], per_rep: int) -> list[dict[str, Any]]:
    from django.test import Client

    from lejek.pipelines.models import Deal

    wanted = TEAM_REPS * per_rep
    open_ids = list(
        Deal.objects.alive()
        .filter(status=Deal.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)[:wanted]
    )
    if len(open_ids) < wanted:
        raise unavailable(f"{len(open_ids)} open deals, {wanted} wanted")
    rows = []
    with _team_of(TEAM_REPS, f"audit-{per_rep}") as (team, reps), _lent(open_ids, reps):
        page = Client()
        last_login = type(admin).objects.filter(pk=admin.pk).values_list("last_login")[0][0]
        page.force_login(admin)
        try:

            def api() -> Any:
                response = page.get("/api/v1/salesops/audit", query_params={"team_id": team.pk})
                if response.status_code != 200:
                    raise unavailable(f"the audit queue answered {response.status_code}")
                if response.json()["total"] != wanted:
                    raise unavailable(f"the queue lists {response.json()['total']} deals")
                return response

            def html() -> Any:
                response = page.get("/salesops/audit/", query_params={"team": team.pk})
                if response.status_code != 200 or b'id="audit-queue"' not in response.content:
                    raise unavailable(f"the audit page answered {response.status_code}")
                return response

            kinds = [("API", "GET /api/v1/salesops/audit?team_id=…", api)]
            if per_rep == OPEN_PER_REP:
                kinds.append(("page", "GET /salesops/audit/?team=…", html))
            for kind, path, call in kinds:
                found = _timed(call)
                rows.append(
                    {
                        "name": f"audit queue ({kind}): {TEAM_REPS} reps, {wanted:,} open deals",
                        "value": round(found["median"], 1),
                        "unit": "ms (median)",
                        "detail": (
                            f"`{path}`; p90 {found['p90']:.1f} ms, {found['queries']} queries, "
                            f"{REPEAT} timed after {WARMUP}"
                        ),
                    }
                )
        finally:
            page.logout()
            type(admin).objects.filter(pk=admin.pk).update(last_login=last_login)
    return rows


def jobs(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, job in (
        ("audit queue", lambda: audit_job(admin, unavailable, OPEN_PER_REP)),
        ("audit queue, heavy", lambda: audit_job(admin, unavailable, HEAVY_PER_REP)),
        ("commission statements", lambda: statements_job(admin, unavailable)),
    ):
        try:
            rows += job()
        except unavailable as exc:
            rows.append({"name": name, "error": str(exc)})
    return rows
