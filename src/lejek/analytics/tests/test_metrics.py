"""Every metric on hand-built histories whose answers are worked out by hand."""

import datetime
from decimal import Decimal
from fractions import Fraction as F

import pytest

from lejek.analytics import services as analytics_services
from lejek.analytics.tests.helpers import History, report
from lejek.pipelines import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin):
    # Discovery call 10 % · Qualified 20 % · Product demo 40 % · Product trial 60 % ·
    # Final call 80 % · Won 100 %
    return services.pipeline_create(actor=admin, template="probability_weighted")


@pytest.fixture
def quarter(admin, owner, pipeline):
    """Four deals around Q1 2025 (see each line for its story)."""
    for currency, rate, since in (
        ("EUR", "1.10", "2024-01-01"),
        ("GBP", "1.25", "2024-06-01"),
        ("GBP", "1.30", "2025-01-03"),
    ):
        analytics_services.rate_create(
            actor=admin,
            currency=currency,
            rate=Decimal(rate),
            valid_from=datetime.date.fromisoformat(since),
        )
    h = History(owner, pipeline)
    # D1 skips "Product demo" and is won: 1,000 USD.
    d1 = h.deal("2025-01-05", amount=1000, currency="USD", contract_years=Decimal(2))
    h.move(d1, "2025-01-10", 1)
    h.move(d1, "2025-01-20", 3)
    h.won(d1, "2025-02-01")
    # D2 moves back from "Product demo" to "Qualified", then is lost.
    d2 = h.deal("2025-01-06", amount=500, currency="USD")
    h.move(d2, "2025-01-08", 1)
    h.move(d2, "2025-01-12", 2)
    h.move(d2, "2025-01-15", 1)
    h.lost(d2, "2025-01-25")
    # D3 is lost, reopened, moved on, and still open: 2,000 EUR.
    d3 = h.deal("2025-02-01", amount=2000, currency="EUR")
    h.lost(d3, "2025-02-10")
    h.reopen(d3, "2025-02-15")
    h.move(d3, "2025-02-20", 2)
    # D4 was created in the previous quarter and won in this one: 300 GBP at 1.30.
    d4 = h.deal("2024-12-20", amount=300, currency="GBP")
    h.move(d4, "2025-01-02", 1)
    h.won(d4, "2025-01-05")
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "history": h}


def test_funnel_counts_skipped_stages_backward_moves_and_reopened_deals(admin, quarter):
    result = report(admin, "2025-01", "2025-03")
    steps = result["funnels"][0]["steps"]
    assert [s["reached"] for s in steps] == [3, 3, 3, 1, 0, 0]
    assert [s["conversion"] for s in steps] == [1, 1, F(1, 3), 0, None, None]
    assert [s["drop_off"] for s in steps] == [0, 0, 2, 1, 0, None]
    assert [s["close_rate"] for s in steps] == [F(1, 3), F(1, 3), F(1, 3), 1, None, None]
    m = result["current"]
    assert m["new_deals"] == 3
    assert m["close_rate"] == F(1, 3)


def test_time_in_stage_adds_every_ended_stay(admin, quarter):
    steps = report(admin, "2025-01", "2025-03")["funnels"][0]["steps"]
    # Discovery: D1 5 d, D2 2 d, D3 9 d + 5 d after reopening, D4 13 d (left in January).
    # Qualified: D1 10 d, D2 4 d + 10 d, D4 3 d. Product demo: D2 3 d. Product trial: D1 12 d.
    assert [s["days_in_stage"] for s in steps] == [F(34, 4), 9, 3, 12, None, None]


def test_closed_deals_win_rate_size_cycle_and_velocity(admin, quarter):
    m = report(admin, "2025-01", "2025-03")["current"]
    assert (m["won"], m["lost"]) == (2, 1)  # D3's loss was undone by reopening it
    assert m["win_rate"] == F(2, 3)
    assert m["win_loss_ratio"] == 2
    assert m["revenue_won"] == 1390  # 1,000 USD + 300 GBP × 1.30
    assert m["average_deal_size"] == 695
    assert m["acv"] == F(500 + 390, 2)  # D1 ran two years
    assert m["average_sales_cycle_days"] == F(27 + 16, 2)
    assert m["open_opportunities"] == 1
    assert m["sales_velocity"] == 1 * F(695) * F(2, 3) / F(43, 2)


def test_open_pipeline_is_valued_at_todays_rates(admin, quarter):
    result = report(admin, "2025-01", "2025-03")
    m = result["current"]
    assert m["open_now"] == 1
    assert m["pipeline_value"] == 2200  # 2,000 EUR × 1.10
    assert m["weighted_pipeline_value"] == 880  # in "Product demo", 40 %
    demo = next(s for s in result["stages"] if s["stage"] == "Product demo")
    assert (demo["deals"], demo["value"], demo["weighted"]) == (1, 2200, 880)


def test_previous_period_and_change(admin, quarter):
    result = report(admin, "2025-01", "2025-03")
    before = result["previous"]
    assert before["new_deals"] == 1  # D4
    assert before["won"] == 0 and before["win_rate"] is None
    assert result["changes"]["new_deals"] == 2  # 1 → 3 is +200 %
    assert result["changes"]["win_rate"] is None


def test_zero_denominators_are_not_available(admin, pipeline):
    m = report(admin, "2025-01", "2025-03")["current"]
    for key in (
        "win_rate",
        "win_loss_ratio",
        "average_deal_size",
        "acv",
        "average_sales_cycle_days",
        "sales_velocity",
        "close_rate",
        "response_rate",
        "positive_reply_rate",
        "meeting_booking_rate",
        "selling_time",
        "follow_ups_per_won_deal",
        "lead_response_seconds",
        "clv",
    ):
        assert m[key] is None, key
    assert m["won"] == m["new_deals"] == m["new_leads"] == 0
    assert m["pipeline_value"] == 0


def test_a_currency_without_a_rate_is_counted_not_summed(admin, owner, pipeline, quarter):
    h = quarter["history"]
    chf = h.deal("2025-03-01", amount=700, currency="CHF")
    h.won(chf, "2025-03-05")
    result = report(admin, "2025-01", "2025-03")
    m = result["current"]
    assert m["won"] == 3
    assert m["won_unconvertible"] == 1
    assert m["revenue_won"] == 1390  # unchanged: CHF has no rate
    assert m["average_deal_size"] == 695
    assert [u["deal_id"] for u in result["unconvertible"]] == [chf.pk]
    # A rate from before the close converts it, in the same transaction as the rate.
    analytics_services.rate_create(
        actor=admin, currency="CHF", rate=Decimal("1.2"), valid_from=datetime.date(2025, 3, 1)
    )
    m = report(admin, "2025-01", "2025-03")["current"]
    assert m["won_unconvertible"] == 0
    assert m["revenue_won"] == 1390 + 840


def test_golden_example_1_weighted_pipeline(admin, owner, pipeline):
    """Seed 002: a 1,000 USD deal in "Product trial" (60 %) is worth 600."""
    History(owner, pipeline).deal("2025-01-05", stage=3, amount=1000, currency="USD")
    result = report(admin, "2025-01")
    assert result["current"]["weighted_pipeline_value"] == 600
    trial = next(s for s in result["stages"] if s["stage"] == "Product trial")
    assert (trial["probability"], trial["value"], trial["weighted"]) == (60, 1000, 600)
