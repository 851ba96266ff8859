"""One deal's history → its summary, without a database."""

import datetime
from decimal import Decimal

from lejek.analytics import facts
from lejek.analytics.models import NONE_DATE
from lejek.analytics.rates import RateTable

UTC = datetime.UTC
# Pipeline 1: stages 10, 11, 12, 13 in that order; stage 20 belongs to pipeline 2.
ORDERS = {10: (1, 0), 11: (1, 1), 12: (1, 2), 13: (1, 3), 20: (2, 0)}


def day(n: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2025, 1, 1, hour, tzinfo=UTC) + datetime.timedelta(days=n - 1)


def deal(**changes):
    values = {
        "id": 1,
        "pipeline_id": 1,
        "owner_id": 7,
        "organization_id": None,
        "lead_id": None,
        "source": "event",
        "stage_id": 10,
        "amount": Decimal("100.00"),
        "currency": "USD",
        "contract_years": None,
        "created_at": day(1),
    }
    return facts.DealRow(**{**values, **changes})


def summarise(row, moves, closes=(), touches=(), rates=None):
    table = rates or RateTable([])
    return facts.deal_facts(
        row,
        [facts.StageEvent(s, at) for s, at in moves],
        [
            facts.StatusEvent(status, at, amount, currency)
            for status, at, amount, currency in closes
        ],
        stage_orders=ORDERS,
        touches=facts.Touches(tuple(touches)),
        month=lambda m: m.date().replace(day=1),
        local_date=lambda m: m.date(),
        rate_from=table.rate_from,
        reporting_currency="USD",
    )


def stays(result):
    return {s.stage_id: (s.seconds // 86400, s.visits, s.left_at) for s in result.stages}


def test_skipped_stage_and_furthest():
    result = summarise(deal(), [(10, day(1)), (13, day(4))])
    assert result.summary["furthest_stage_id"] == 13
    assert result.summary["status"] == "open"
    assert stays(result) == {10: (3, 1, day(4)), 13: (0, 1, None)}


def test_backwards_move_adds_a_second_visit():
    result = summarise(deal(), [(10, day(1)), (12, day(2)), (11, day(5)), (12, day(6))])
    assert result.summary["furthest_stage_id"] == 12
    assert stays(result)[12] == (3, 2, day(5))  # the second stay is still running
    assert stays(result)[11] == (1, 1, day(6))


def test_close_ends_the_stay_and_reopen_starts_another():
    closes = [
        ("lost", day(3), Decimal("100.00"), "USD"),
        ("open", day(10), None, "USD"),
        ("won", day(12), Decimal("250.50"), "USD"),
    ]
    result = summarise(deal(contract_years=Decimal(2)), [(10, day(1))], closes)
    assert stays(result) == {10: (4, 1, day(12))}  # 2 days, then 2 more after reopening
    summary = result.summary
    assert (summary["status"], summary["closed_at"]) == ("won", day(12))
    assert summary["cycle_seconds"] == 11 * 86400
    assert (summary["amount_cents"], summary["acv_cents"]) == (25050, 12525)


def test_same_instant_move_then_win():
    result = summarise(deal(), [(10, day(1)), (13, day(3))], [("won", day(3), None, "USD")])
    assert stays(result)[13] == (0, 1, day(3))
    assert result.summary["amount_cents"] is None


def test_stages_of_another_pipeline_or_removed_do_not_count_as_furthest():
    result = summarise(deal(), [(20, day(1)), (99, day(2)), (11, day(3))])
    assert result.summary["furthest_stage_id"] == 11
    only_removed = summarise(deal(), [(99, day(1))])
    assert only_removed.summary["furthest_stage_id"] == 0


def test_rate_in_force_on_the_close_date():
    rates = RateTable(
        [
            ("EUR", datetime.date(2025, 1, 1), Decimal("1.1")),
            ("EUR", datetime.date(2025, 1, 5), Decimal("1.2")),
        ]
    )
    closes = [("won", day(4), Decimal("10.00"), "EUR")]
    assert summarise(deal(), [(10, day(1))], closes, rates=rates).summary["rate_from"] == (
        datetime.date(2025, 1, 1)
    )
    closes = [("won", day(5), Decimal("10.00"), "EUR")]
    assert summarise(deal(), [(10, day(1))], closes, rates=rates).summary["rate_from"] == (
        datetime.date(2025, 1, 5)
    )
    closes = [("won", day(5), Decimal("10.00"), "CHF")]
    assert summarise(deal(), [(10, day(1))], closes, rates=rates).summary["rate_from"] == NONE_DATE
    assert rates.factor("EUR", datetime.date(2025, 1, 5)) == Decimal("1.2")
    assert rates.factor("USD", NONE_DATE) == 1
    assert rates.factor("CHF", NONE_DATE) is None


def test_touches_count_until_the_close():
    closes = [("won", day(5), Decimal("1.00"), "USD")]
    result = summarise(deal(), [(10, day(1))], closes, touches=[day(2), day(4), day(6)])
    assert result.summary["touches"] == 2
    assert result.summary["first_touch_month"] == datetime.date(2025, 1, 1)
