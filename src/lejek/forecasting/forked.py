"""Spreading independent work over the machine's CPUs with forked processes.

A forked child starts with the parent's memory, so large inputs (a replayed history of a
million deals) are shared, not pickled; only each result travels back. The work must not
touch the database (a connection is never shared with a child). A process running other
threads (a web server, a test runner's I/O thread) could deadlock in the child, so it runs
the work serially, as does a machine with one CPU.
"""

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(index: int) -> Any:
    assert _JOB is not None
    func, items = _JOB
    return func(items[index])


def can_fork() -> bool:
    return (
        (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def fork_map[T, R](func: Callable[[T], R], items: Sequence[T], workers: int = 0) -> list[R]:
    """[func(item) for item in items], in up to `workers` forked processes (0: one per
    CPU), in order; serially when forking is not safe or there is one item."""
    count = min(workers or (os.cpu_count() or 1), len(items))
    if count < 2 or not can_fork():
        return [func(item) for item in items]
    global _JOB
    _JOB = (func, items)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            return pool.map(_run, range(len(items)), chunksize=1)
    finally:
        _JOB = None
