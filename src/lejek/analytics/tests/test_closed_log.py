"""The closed-history log: every change to a closed deal's summary is logged, open work is not,
and forecasting's cached closed history is read again exactly when the log moves."""

import datetime
from decimal import Decimal

import pytest

from lejek.analytics import closed_log
from lejek.analytics import services as analytics_services
from lejek.analytics.models import ClosedChange
from lejek.analytics.rebuild import rebuild
from lejek.analytics.tests.helpers import History, clock, t
from lejek.forecasting import gather
from lejek.pipelines import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(admin, owner):
    pipeline = services.pipeline_create(actor=admin, template="probability_weighted")
    return History(owner, pipeline)


def test_open_work_is_not_logged_and_every_closed_change_is(history, owner) -> None:
    deal = history.deal("2025-01-05", amount=1000)
    history.move(deal, "2025-01-10", 1)
    assert closed_log.mark() is None  # only open deals so far

    history.won(deal, "2025-01-20")
    after_win = closed_log.mark()
    assert after_win is not None and after_win[0] == 1

    other = history.deal("2025-01-21", amount=500)
    history.move(other, "2025-01-22", 2)
    assert closed_log.mark() == after_win  # an open deal moving leaves it alone

    history.reopen(deal, "2025-01-25")
    after_reopen = closed_log.mark()
    assert after_reopen is not None and after_reopen[0] == 2  # was closed: logged

    history.lost(deal, "2025-01-26")
    deal.refresh_from_db()
    with clock(t("2025-01-27")):
        services.deal_delete(actor=owner, deal=deal, version=deal.version)
    assert closed_log.mark()[0] == 4  # type: ignore[index]  # lost, then deleted


def test_a_rekeyed_rate_is_logged_and_a_rebuild_starts_afresh(history, admin) -> None:
    deal = history.deal("2025-01-05", amount=1000, currency="EUR")
    history.won(deal, "2025-02-01")
    before = closed_log.mark()
    analytics_services.rate_create(
        actor=admin, currency="EUR", rate=Decimal("1.10"), valid_from=datetime.date(2025, 1, 1)
    )
    moved = closed_log.mark()
    assert moved is not None and moved[0] == before[0] + 1  # type: ignore[index]

    rebuild()
    restarted = closed_log.mark()
    assert restarted is not None and restarted[0] == 1
    assert restarted[1] > moved[1]  # a new row, never one seen before the rebuild
    assert ClosedChange.objects.count() == 1


def _won_stays(counts) -> int:  # type: ignore[no-untyped-def]
    return sum(w for _, w in counts.cells.values())


def test_forecast_history_is_read_again_when_a_deal_closes_and_only_then(history) -> None:
    scope = gather.Scope()
    won = history.deal("2025-01-05", amount=1000)
    history.won(won, "2025-01-20")
    first, _, key = gather.cached_closed_stays(scope)
    assert _won_stays(first) >= 1

    opened = history.deal("2025-01-21", amount=700)
    history.move(opened, "2025-01-22", 1)
    assert gather.cached_closed_stays(scope)[2] == key  # same history: read from the cache

    history.won(opened, "2025-01-30")
    fresh, _ = gather.closed_stays(scope)
    counts, _, new_key = gather.cached_closed_stays(scope)
    assert new_key != key
    assert dict(counts.cells) == dict(fresh.cells)
    assert _won_stays(counts) > _won_stays(first)


def test_an_empty_log_falls_back_to_the_summaries_themselves(history) -> None:
    """Summaries that came in without a logged change (restored, say) still name the history."""
    deal = history.deal("2025-01-05", amount=1000)
    history.won(deal, "2025-01-20")
    key = gather.history_key(gather.Scope())
    ClosedChange.objects.all().delete()
    summed = gather.history_key(gather.Scope())
    assert summed != key
    history.reopen(deal, "2025-01-25")
    ClosedChange.objects.all().delete()
    assert gather.history_key(gather.Scope()) != summed  # the sums moved
