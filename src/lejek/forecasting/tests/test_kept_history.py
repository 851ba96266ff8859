"""What the forecast keeps between requests (closed stays, a year of won deals) is read again
as soon as a deal closes or a rate changes, and only then."""

import datetime
from decimal import Decimal

import pytest

from lejek.analytics import services as analytics_services
from lejek.analytics.tests.helpers import History
from lejek.forecasting import gather, selectors
from lejek.pipelines import services

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 3, 1)


@pytest.fixture
def history(admin, owner):
    pipeline = services.pipeline_create(actor=admin, template="probability_weighted")
    return History(owner, pipeline)


def _average(admin) -> Decimal:  # type: ignore[no-untyped-def]
    found = selectors.forecast(admin, gather.Scope(), as_of=AS_OF, horizon=1, runs=100)
    return found["suggested_inputs"].average_revenue  # type: ignore[no-any-return]


def test_a_new_win_is_in_the_next_forecast(history, admin) -> None:
    first = history.deal("2025-01-05", amount=3000)
    history.won(first, "2025-01-20")
    assert _average(admin) == Decimal("1000.00")  # 3,000 won in the last 90 days, per month
    assert _average(admin) == Decimal("1000.00")  # asked again: the same, from what was kept

    second = history.deal("2025-01-06", amount=600)
    history.move(second, "2025-01-08", 1)
    assert _average(admin) == Decimal("1000.00")  # an open deal moved: nothing closed

    history.won(second, "2025-02-10")
    assert _average(admin) == Decimal("1200.00")


def test_a_changed_rate_is_in_the_next_forecast(history, admin) -> None:
    rate = analytics_services.rate_create(
        actor=admin, currency="EUR", rate=Decimal("1.10"), valid_from=datetime.date(2024, 1, 1)
    )
    deal = history.deal("2025-01-05", amount=3000, currency="EUR")
    history.won(deal, "2025-01-20")
    assert _average(admin) == Decimal("1100.00")
    analytics_services.rate_update(actor=admin, rate=rate, data={"rate": Decimal("1.20")})
    assert _average(admin) == Decimal("1200.00")  # the same rate period, a new value


def test_open_deals_are_read_from_their_own_index_on_sqlite(history, admin) -> None:
    """At a million deals, reading the open ones through the status index looked up each
    row and sorted them; their partial index holds every column the forecast reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lejek.analytics.rates import RateTable

    if connection.vendor != "sqlite":
        pytest.skip("the plan of SQLite's query planner")
    history.deal("2025-01-05", amount=3000)
    with CaptureQueriesContext(connection) as queries:
        found, _, _ = gather.open_deals(admin, gather.Scope(), RateTable.load(), AS_OF)
    assert len(found) == 1
    [sql] = [q["sql"] for q in queries.captured_queries if "pipelines_deal" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX deal_open_forecast" in plan and "TEMP B-TREE" not in plan, plan
