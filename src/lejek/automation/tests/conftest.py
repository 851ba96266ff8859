"""Fixtures for the automation tests: a clock moved by hand, a local SMTP server, a pipeline."""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from lejek.accounts.models import User
from lejek.automation import ticker
from lejek.automation.tests.helpers import Clock, Inbox, free_port, local
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Pipeline


@pytest.fixture
def clock() -> Iterator[Clock]:
    fake = Clock(local(2030, 5, 30, 10, 0))  # a Thursday
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        settings.MAILERS = saved
        controller.stop()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """`run_on_commit(fn, *args)`: call it and run what it queued after commit (the tasks)."""

    def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def tick(run_on_commit: Any) -> Any:
    return lambda: run_on_commit(ticker.tick)


@pytest.fixture
def outbound(admin: User) -> Pipeline:
    return pipeline_services.pipeline_create(actor=admin, template="outbound_b2b")
