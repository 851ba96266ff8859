"""The cyclic collector is off inside `paused` and back as it was after it, however the
blocks nest or end."""

import gc
import threading

import pytest

from lejek.core import collector


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_off_inside_and_back_after_even_on_an_error() -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_threads_turn_it_back_on_with_the_last_block() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector.paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector.paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's block has not ended
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_forecast_runs_with_it_paused(monkeypatch) -> None:
    from lejek.forecasting import selectors

    seen = []
    monkeypatch.setattr(selectors, "_forecast", lambda *args: seen.append(gc.isenabled()))
    selectors.forecast(None, None, as_of=None, horizon=1)  # type: ignore[arg-type]
    assert seen == [False] and gc.isenabled()


@pytest.mark.django_db
def test_a_backtest_and_the_rep_snapshot_replay_run_with_it_paused(monkeypatch) -> None:
    import datetime

    from lejek.forecasting import backtest, history, replayed

    seen = []

    def replay(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        raise LookupError  # enough: only whether the collector ran matters here

    monkeypatch.setattr(history, "replay", replay)
    for run in (
        lambda: backtest.backtest(None, today=datetime.date(2025, 1, 1), months=1),  # type: ignore[arg-type]
        lambda: replayed.replay_rep_snapshots(today=datetime.date(2025, 1, 1), months=1),
    ):
        with pytest.raises(LookupError):
            run()
    assert seen == [False, False] and gc.isenabled()
