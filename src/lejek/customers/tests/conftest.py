from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from lejek.accounts.models import User
from lejek.customers.tests.helpers import Clock, local
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Pipeline


@pytest.fixture
def clock() -> Iterator[Clock]:
    fake = Clock(local(2030, 3, 1, 10, 0))
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


@pytest.fixture
def pipeline(admin: User) -> Pipeline:
    return pipeline_services.pipeline_create(actor=admin, template="probability_weighted")


@pytest.fixture
def outbound(admin: User) -> Pipeline:
    return pipeline_services.pipeline_create(actor=admin, template="outbound_b2b")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
