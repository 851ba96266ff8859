"""The rebuild reads a deal's stage history with each distinct moment parsed once (on
SQLite, read as the text it is stored as), and gets the moments the ORM gets."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.analytics import loaders
from lejek.analytics.tests.helpers import History, recorded
from lejek.pipelines import services
from lejek.pipelines.models import Deal, StageChange, StatusChange

pytestmark = pytest.mark.django_db


def test_each_distinct_moment_of_the_history_is_parsed_once(admin, monkeypatch):
    history = History(admin, services.pipeline_create(actor=admin, template="seven_stage"))
    deals = [history.deal("2025-01-02") for _ in range(3)]
    for deal in deals:
        history.move(deal, "2025-01-10", 1)
        history.move(deal, "2025-02-01", 2)
    parsed = recorded(monkeypatch, loaders, "_utc")
    ids = sorted(d.pk for d in deals)
    with CaptureQueriesContext(connection) as queries:
        summaries, stays = loaders.deal_summaries(ids, loaders.Context.load(), by_range=True)
    if connection.vendor == "sqlite":
        # three moments, each shared by the three deals, and the deals' one creation time
        assert sorted(parsed) == [
            "2025-01-02 12:00:00", "2025-01-02 12:00:00", "2025-01-10 12:00:00",
            "2025-02-01 12:00:00",
        ]  # fmt: skip
        read = [q["sql"] for q in queries if "FROM pipelines_stagechange" in q["sql"]]
        assert read and all("CAST(at AS TEXT)" in sql for sql in read)
    else:
        assert parsed == []  # the driver hands over aware datetimes
    expected = {
        (c.deal_id, c.to_stage_id, c.at) for c in StageChange.objects.filter(deal_id__in=ids)
    }
    found = {(s["deal_id"], s["stage_id"], s["first_reached_at"]) for s in stays}
    assert found == expected and len(summaries) == 3


def test_deals_and_status_changes_are_read_as_the_orm_reads_them(admin):
    """The rebuild reads deals and status changes by plain SQL: the same values as the
    ORM, decimals (to the cent, with their places) and moments included."""
    history = History(admin, services.pipeline_create(actor=admin, template="seven_stage"))
    deals = [
        history.deal("2025-01-02", amount="1234.50", contract_years=Decimal("2.5")),
        history.deal("2025-01-03", amount="99999999.99", currency="EUR"),
        history.deal("2025-01-04"),  # no amount
    ]
    history.won(deals[0], "2025-03-01")
    history.lost(deals[2], "2025-03-02")
    ids = sorted(d.pk for d in deals)
    read = loaders._deal_rows("BETWEEN %s AND %s", [ids[0], ids[-1]])
    expected = Deal.objects.filter(pk__in=ids).order_by("pk").values_list(*loaders.DEAL_COLUMNS)
    assert [tuple(row) for row in read] == list(expected)
    assert [str(row.amount) for row in read] == ["1234.50", "99999999.99", "None"]
    assert str(read[0].contract_years) == "2.50"
    changes = loaders._plain_rows(
        StatusChange, ("deal_id", "to_status", "amount", "currency", "at"),
        "WHERE deal_id IN (%s, %s, %s) ORDER BY deal_id, at, id", ids,
    )  # fmt: skip
    orm = StatusChange.objects.filter(deal_id__in=ids).order_by("deal_id", "at", "id")
    assert [tuple(row) for row in changes] == list(
        orm.values_list("deal_id", "to_status", "amount", "currency", "at")
    )
    assert [str(row[2]) for row in changes] == [str(c.amount) for c in orm]
