"""Forked work gives the same answers, in order, as doing it serially."""

import threading

from lejek.forecasting import forked


def square(value: int) -> int:
    return value * value


def test_fork_map_keeps_order_and_results() -> None:
    assert forked.fork_map(square, list(range(7))) == [v * v for v in range(7)]
    assert forked.fork_map(square, []) == []


def test_a_threaded_process_works_serially() -> None:
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert not forked.can_fork()
        assert forked.fork_map(square, [2, 3]) == [4, 9]
    finally:
        stop.set()
        helper.join()
