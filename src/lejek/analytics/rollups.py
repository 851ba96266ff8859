"""Keeping `Rollup` equal to the sum over the summaries, one signed aggregate at a time.

Before a set of summary rows changes, their contribution is subtracted
(`apply(..., sign=-1)`); after, the new rows are added (`sign=+1`). Each step is
one `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE` that adds to the
existing counters, so concurrent writers never overwrite each other's counts.
The same statement with sign +1 over every summary builds the rollup from scratch.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from lejek.analytics.models import NONE_DATE, Rollup

ROLLUP = Rollup._meta.db_table
KEY = (
    "kind",
    "grain",
    "month",
    "pipeline_id",
    "owner_id",
    "source",
    "stage_id",
    "status",
    "currency",
    "rate_from",
)
VALUES = ("n", "n_amount", "cents", "acv_cents", "seconds", "touches", "touches5", "org_cents")
GRAINS = {  # grain: keep owner?, keep source?
    Rollup.Grain.ALL: (False, False),
    Rollup.Grain.OWNER: (True, False),
    Rollup.Grain.SOURCE: (False, True),
    Rollup.Grain.FULL: (True, True),
}

DEALS = "analytics_dealsummary"
STAGES = "analytics_dealstagesummary"
LEADS = "analytics_leadsummary"
ACTIVITIES = "analytics_activitysummary"

NONE = "{none}"  # a date literal both databases read as a date; filled in by `apply`
COUNT = {"n": "SUM({s})"}
WON_ONLY = "CASE WHEN status = 'won' THEN {} ELSE {} END"


class Select:
    """One contribution: rollup key expressions (besides grain, owner, source), values, WHERE."""

    def __init__(
        self,
        kind: str,
        month: str,
        *,
        pipeline: str = "pipeline_id",
        stage: str = "0",
        status: str = "''",
        currency: str = "''",
        rate_from: str = NONE,
        values: dict[str, str] | None = None,
        where: str = "",
    ) -> None:
        self.kind = kind
        self.keys = {
            "kind": f"'{kind}'",
            "month": month,
            "pipeline_id": pipeline,
            "stage_id": stage,
            "status": status,
            "currency": currency,
            "rate_from": rate_from,
        }
        self.values = values or COUNT
        self.where = where


SELECTS: dict[str, list[Select]] = {
    DEALS: [
        Select("cohort", "created_month", stage="furthest_stage_id", status="status"),
        Select(
            "closed",
            "closed_month",
            status="status",
            # Lost deals' amounts are not reported: one row per month for them, not per currency.
            currency=WON_ONLY.format("currency", "''"),
            rate_from=WON_ONLY.format("rate_from", NONE),
            values={
                "n": "SUM({s})",
                "n_amount": "SUM(CASE WHEN amount_cents IS NULL THEN 0 ELSE {s} END)",
                "cents": "SUM(COALESCE(amount_cents, 0)) * {s}",
                "acv_cents": "SUM(COALESCE(acv_cents, 0)) * {s}",
                "seconds": "SUM(cycle_seconds) * {s}",
                "touches": "SUM(touches) * {s}",
                "touches5": "SUM(CASE WHEN touches >= 5 THEN {s} ELSE 0 END)",
                "org_cents": (
                    "SUM(CASE WHEN organization_id IS NULL THEN 0 "
                    "ELSE COALESCE(amount_cents, 0) END) * {s}"
                ),
            },
            where="status <> 'open'",
        ),
        Select(
            "open",
            NONE,
            stage="stage_id",
            currency="currency",
            values={
                "n": "SUM({s})",
                "n_amount": "SUM(CASE WHEN amount_cents IS NULL THEN 0 ELSE {s} END)",
                "cents": "SUM(COALESCE(amount_cents, 0)) * {s}",
            },
            where="status = 'open'",
        ),
        Select(
            "reached",
            "first_touch_month",
            where="lead_id IS NULL AND first_touch_month IS NOT NULL",
        ),
        Select(
            "customer",
            "closed_month",
            values={"n": "SUM({s})", "seconds": "SUM(customer_days) * 86400 * {s}"},
            where="customer_days IS NOT NULL",
        ),
    ],
    STAGES: [
        Select(
            "stage_time",
            "left_month",
            stage="stage_id",
            values={"n": "SUM({s})", "seconds": "SUM(seconds) * {s}"},
            where="left_month IS NOT NULL",
        )
    ],
    LEADS: [
        Select("lead", "created_month", pipeline="0"),
        Select("reached", "first_touch_month", pipeline="0", where="first_touch_month IS NOT NULL"),
    ],
    ACTIVITIES: [],
}

# Activity counters: measure (kept in `status`), month column, condition.
ACTIVITY_MEASURES = (
    ("outreach", "done_month", "kind = 'email' AND direction = 'outbound'"),
    ("reply", "done_month", "kind = 'email' AND direction = 'inbound' AND is_reply"),
    (
        "positive",
        "done_month",
        "kind = 'email' AND direction = 'inbound' AND is_reply AND is_positive",
    ),
    ("meeting", "created_month", "kind = 'meeting'"),
    ("touch", "done_month", "kind IN ('email', 'call') AND direction = 'outbound'"),
    ("logged", "done_month", "minutes > 0"),
    ("facing", "done_month", "kind IN ('call', 'meeting') AND minutes > 0"),
)
for _measure, _month, _where in ACTIVITY_MEASURES:
    SELECTS[ACTIVITIES].append(
        Select(
            "activity",
            _month,
            status=f"'{_measure}'",
            values={"n": "SUM({s})", "seconds": "SUM(minutes) * 60 * {s}"},
            where=f"{_month} IS NOT NULL AND {_where}",
        )
    )


def _union(
    table: str,
    where: str,
    params: Sequence[object],
    sign: int,
    kinds: Sequence[str] | None,
    grains: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    """One SELECT (a UNION ALL) giving rollup keys and signed values for matching summaries."""
    if sign not in (1, -1):
        raise ValueError("sign must be 1 or -1")
    none = f"'{NONE_DATE.isoformat()}'"
    if connection.vendor == "postgresql":
        none = f"DATE {none}"
    selects: list[str] = []
    all_params: list[Any] = []
    for select in SELECTS[table]:
        if kinds is not None and select.kind not in kinds:
            continue
        conditions = " AND ".join(c for c in (where, select.where) if c) or "1 = 1"
        for grain, (by_owner, by_source) in GRAINS.items():
            if grains is not None and grain not in grains:
                continue
            keys = {
                **select.keys,
                "grain": f"'{grain}'",
                "owner_id": "owner_id" if by_owner else "0",
                "source": "source" if by_source else "''",
            }
            columns = [f"{keys[name].format(none=none)} AS {name}" for name in KEY]
            columns += [
                f"{select.values.get(name, '0').format(s=sign)} AS {name}" for name in VALUES
            ]
            group = _grouped(keys[name] for name in KEY)
            # Every name and expression here is a constant of this module; values are params.
            selects.append(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {conditions} GROUP BY {group}"  # noqa: S608
            )
            all_params.extend(params)
    return " UNION ALL ".join(selects), all_params


CONSTANT = re.compile(r"'[^']*'|-?[0-9]+|" + re.escape(NONE))


def _grouped(keys: Iterable[str]) -> str:
    """GROUP BY's terms for rollup key expressions: the positions of those that are not
    constants. SQLite sorts on every term it is given, constants included: the rebuild's
    stage-time rollup of 5,000,000 rows took 10-21 s grouped by all ten keys, 5.4-6.0 s by
    its five columns. (All ten when every key is a constant, which still gives no row
    for no matching summary.)"""
    keys = list(keys)
    varying = [str(i + 1) for i, key in enumerate(keys) if not CONSTANT.fullmatch(key)]
    return ", ".join(varying or [str(i + 1) for i in range(len(keys))])


def apply(
    table: str,
    where: str,
    params: Sequence[object],
    sign: int,
    kinds: Sequence[str] | None = None,
    grains: Sequence[str] | None = None,
) -> None:
    """Add (`sign`=1) or subtract (-1) the rows of `table` matching `where`, set-based.

    For bulk work (rebuild, a new exchange rate, a stage reorder). `kinds` limits the
    work to some rollup kinds, `grains` to some grains (the rebuild sums the full
    grain, then derives the others from it). Per-record refreshes use `Delta`.
    """
    union, all_params = _union(table, where, params, sign, kinds, grains)
    if not union:
        return
    updates = ", ".join(f"{v} = {ROLLUP}.{v} + excluded.{v}" for v in VALUES)
    sql = (
        f"INSERT INTO {ROLLUP} ({', '.join(KEY + VALUES)}) "  # noqa: S608
        f"SELECT * FROM ({union}) AS u "
        f"WHERE 1 = 1 ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)


class Delta:
    """The net change a refresh makes to the rollup, written in one sorted statement.

    Contributions are read before the summaries change (`subtract`) and after (`add`);
    only keys whose sums really moved are written, all in one INSERT ... ON CONFLICT in
    key order. Two transactions therefore lock the rollup rows they share in the same
    order and cannot deadlock on them, and a move touches only the few rows it changes.
    """

    def __init__(self) -> None:
        self.sums: dict[tuple[Any, ...], list[int]] = {}

    def _collect(
        self, table: str, where: str, params: Sequence[object], sign: int, kinds: Any
    ) -> None:
        union, all_params = _union(table, where, params, 1, kinds, None)
        if not union:
            return
        with connection.cursor() as cursor:
            cursor.execute(union, all_params)
            for row in cursor.fetchall():
                key = tuple(row[: len(KEY)])
                sums = self.sums.setdefault(key, [0] * len(VALUES))
                for i, value in enumerate(row[len(KEY) :]):
                    sums[i] += sign * int(value or 0)

    def subtract(self, table: str, where: str, params: Sequence[object], kinds: Any = None) -> None:
        self._collect(table, where, params, -1, kinds)

    def add(self, table: str, where: str, params: Sequence[object], kinds: Any = None) -> None:
        self._collect(table, where, params, 1, kinds)

    def write(self) -> None:
        rows = sorted((k, v) for k, v in self.sums.items() if any(v))
        self.sums = {}
        if not rows:
            return
        columns = ", ".join(KEY + VALUES)
        updates = ", ".join(f"{v} = {ROLLUP}.{v} + excluded.{v}" for v in VALUES)
        width = len(KEY) + len(VALUES)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                batch = rows[start : start + 500]
                values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {ROLLUP} ({columns}) VALUES {values} "  # noqa: S608
                    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}",
                    [value for key, sums in batch for value in (*key, *sums)],
                )


def derive_grains() -> None:
    """Fill the coarser grains by summing the full grain (for a rollup built from scratch)."""
    for grain, (by_owner, by_source) in GRAINS.items():
        if grain == Rollup.Grain.FULL:
            continue
        keys = {
            **{name: name for name in KEY},
            "grain": f"'{grain}'",
            "owner_id": "owner_id" if by_owner else "0",
            "source": "source" if by_source else "''",
        }
        columns = [f"{keys[name]} AS {name}" for name in KEY]
        columns += [f"SUM({name}) AS {name}" for name in VALUES]
        group = _grouped(keys[name] for name in KEY)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ROLLUP} ({', '.join(KEY + VALUES)}) "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {ROLLUP} "
                f"WHERE grain = '{Rollup.Grain.FULL}' GROUP BY {group}"
            )


def prune() -> None:
    """Drop rows whose every counter fell back to zero (they would only slow reads)."""
    Rollup.objects.filter(**dict.fromkeys(VALUES, 0)).delete()
