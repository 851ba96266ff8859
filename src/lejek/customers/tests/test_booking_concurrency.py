"""Two prospects book the same slot at the same moment: exactly one gets it.

Real concurrency needs a database with row locks and separate connections, so this runs on
PostgreSQL (DATABASE_URL=postgres://...); on SQLite, test_booking checks the same outcome
one request after the other and the unique constraint on its own.
"""

import threading
from typing import Any

import pytest
from django.db import connection

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.automation import seed
from lejek.core.errors import DomainError
from lejek.customers import booking
from lejek.customers.models import Booking, BookingPage
from lejek.customers.tests.helpers import local
from lejek.customers.tests.test_booking import MONDAY_9, _hours, _post
from lejek.pipelines.models import Pipeline

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]


@pytest.mark.parametrize("contenders", [2, 4])
def test_concurrent_bookings_of_one_slot(
    owner: User, outbound: Pipeline, clock: Any, contenders: int
) -> None:
    clock.set(local(2030, 5, 30, 10, 0))
    _hours(owner)
    page = BookingPage.objects.create(
        slug="race", title="Demo", user=owner, stage=outbound.stages.get(name=seed.STAGE)
    )
    barrier = threading.Barrier(contenders)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            booking.submit(
                page=page,
                posted=_post(email=f"p{index}@example.com", name=f"Prospect {index}"),
                address=f"10.9.0.{index}",
            )
            result = "booked"
        except booking.SlotTaken as exc:
            result = f"taken: {exc.message}"
        except DomainError as exc:
            result = f"error: {exc.message}"
        except Exception as exc:  # reported in the assertion below
            result = f"crash: {type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count(f"taken: {booking.SLOT_TAKEN}") == contenders - 1, outcomes
    assert Booking.objects.filter(rep=owner, start_at=MONDAY_9).count() == 1
    assert Activity.objects.filter(owner=owner, kind="meeting", due_at=MONDAY_9).count() == 1
