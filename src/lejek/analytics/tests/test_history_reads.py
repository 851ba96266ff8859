"""The rebuild reads a deal's stage history with each distinct moment parsed once (on
SQLite, read as the text it is stored as), and gets the moments the ORM gets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.analytics import loaders
from lejek.analytics.tests.helpers import History, recorded
from lejek.pipelines import services
from lejek.pipelines.models import StageChange

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
        assert len(parsed) == 3  # three moments, each shared by the three deals
        read = [q["sql"] for q in queries if "FROM pipelines_stagechange" in q["sql"]]
        assert read and all("CAST(at AS TEXT)" in sql for sql in read)
    else:
        assert parsed == []  # the driver hands over aware datetimes
    expected = {
        (c.deal_id, c.to_stage_id, c.at) for c in StageChange.objects.filter(deal_id__in=ids)
    }
    found = {(s["deal_id"], s["stage_id"], s["first_reached_at"]) for s in stays}
    assert found == expected and len(summaries) == 3
