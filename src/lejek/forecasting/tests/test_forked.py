"""Forked work gives the same answers, in order, as doing it serially."""

import threading

import pytest
from django.db import transaction

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
    with transaction.atomic():
        assert not forked.can_read_in_children()  # children would not see this transaction
