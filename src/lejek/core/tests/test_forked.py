"""Forked work gives the same answers, in order, as doing it serially."""

import threading

import pytest
from django.db import transaction

from lejek.core import forked


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


def count_users(_: int) -> int:
    from lejek.accounts.models import User

    return User.objects.count()


@pytest.mark.django_db(transaction=True)
def test_children_read_on_their_own_connections(admin) -> None:  # type: ignore[no-untyped-def]
    """Children that query (forked where the database allows it) see the committed rows,
    and the parent's own connection still works afterwards."""
    from lejek.accounts.models import User

    before = User.objects.count()
    assert forked.fork_map(count_users, [1, 2, 3], readers=True) == [before] * 3
    assert User.objects.count() == before
    allowed = forked.can_read_in_children()
    with transaction.atomic():
        assert not forked.can_read_in_children()  # children would not see this transaction
        # unless the caller vouches that they read nothing it has written
        assert forked.can_read_in_children(reads_committed=True) == allowed


def sigterm_ends_the_process(_: int) -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_children_end_on_sigterm_whatever_the_parent_catches() -> None:
    """A task worker run in this process (RQ's, say) leaves a SIGTERM handler that only
    records the signal. A child that inherited it and was waiting on the pool's queue when
    the pool was terminated outlived `terminate`, and its parent waited for it for ever
    (seen once in CI); children put SIGTERM back to its default."""
    import signal

    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        forked._start_child(False)  # what every child runs first
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
        if forked.can_fork():  # not beside another test's threads: then the work is serial
            assert forked.fork_map(sigterm_ends_the_process, [1, 2], workers=2) == [True, True]
            results = forked.fork_imap(square, list(range(50)), workers=2)
            assert next(results) == 0
            results.close()  # stops early: the pool is terminated, children still waiting
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert received == []  # the parent itself was never signalled
