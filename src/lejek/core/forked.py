"""Spreading independent work over the machine's CPUs with forked processes.

A forked child starts with the parent's memory, so large inputs (a replayed history of a
million deals) are shared, not pickled; only each result travels back. A connection is
never shared with a child: work that reads the database (`readers=True`) opens its own in
each child, and may do so only when the parent holds no uncommitted work (children would
not see it) and the database is not in memory. A process running other threads (a web
server, a test runner's I/O thread) could deadlock in the child, so it runs the work
serially, as does a machine with one CPU.
"""

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
# In a child, the parent's connections: kept referenced, never used nor closed (closing
# one would end the parent's session on PostgreSQL).
_INHERITED: list[Any] = []


def _run(index: int) -> Any:
    assert _JOB is not None
    func, items = _JOB
    return func(items[index])


def _start_child(readers: bool) -> None:
    """In a new child: die on SIGTERM whatever the parent installed (a task worker's
    graceful stop only records the signal, and a child blocked on the pool's queue would
    then outlive `terminate` and hang its parent); with `readers`, forget the parent's
    connections, so the first query opens one."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if readers:
        for conn in connections.all(initialized_only=True):
            _INHERITED.append(conn.connection)
            conn.connection = None


def cpus() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    return (
        cpus() > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def can_read_in_children(*, reads_committed: bool = False) -> bool:
    """Whether children reading on their own connections see what the parent sees. With
    `reads_committed` the caller vouches that its open transaction, if any, has written
    nothing the children read (they see what was committed)."""
    if not can_fork():
        return False
    default: Any = connections[DEFAULT_DB_ALIAS]
    if default.vendor == "sqlite" and default.is_in_memory_db():
        return False
    if reads_committed:
        return True
    return not any(c.in_atomic_block for c in connections.all(initialized_only=True))


def fork_map[T, R](
    func: Callable[[T], R], items: Sequence[T], workers: int = 0, *, readers: bool = False
) -> list[R]:
    """[func(item) for item in items], in up to `workers` forked processes (0: one per
    CPU), in order; serially when forking is not safe or there is one item. With
    `readers`, func may query the database (on each child's own connection)."""
    return list(fork_imap(func, items, workers, readers=readers))


def fork_imap[T, R](
    func: Callable[[T], R],
    items: Sequence[T],
    workers: int = 0,
    *,
    readers: bool = False,
    reads_committed: bool = False,
) -> Iterator[R]:
    """As `fork_map`, but each result is handed over, in order, as soon as it is ready, so
    the caller's work on it overlaps with the children's on the rest. `reads_committed`:
    see `can_read_in_children`."""
    count = min(workers or cpus(), len(items))
    allowed = can_read_in_children(reads_committed=reads_committed) if readers else can_fork()
    if count < 2 or not allowed:
        yield from (func(item) for item in items)
        return
    global _JOB
    _JOB = (func, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(count, initializer=_start_child, initargs=(readers,)) as pool:
            yield from pool.imap(_run, range(len(items)), chunksize=1)
            pool.close()  # every result is in: let the children end on their own
            pool.join()
    finally:
        _JOB = None
