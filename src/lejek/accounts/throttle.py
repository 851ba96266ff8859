"""Throttling: failed log-ins per account and per address, and API requests per user.

Log-in failures live in the database (`LoginFailure`), so every server process
counts the same attempts; an account name is throttled whether or not it exists,
so throttling does not reveal which names are real. API requests are counted per
user in fixed one-minute windows in Django's cache (per process with the default
local-memory cache; shared when `CACHE_URL` points at Redis).
"""

import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lejek.accounts.models import LoginFailure
from lejek.core.errors import TooManyRequests


def client_address(request: HttpRequest) -> str | None:
    """The peer address. Behind a reverse proxy, configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_retry_after(username: str, address: str | None) -> int | None:
    """Seconds until this account name or address may try again, or None when it may now."""
    since = timezone.now() - _window()
    name = username.strip().lower()
    checks = [(LoginFailure.objects.filter(username=name), settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if address:
        checks.append(
            (LoginFailure.objects.filter(address=address), settings.LOGIN_FAILURES_PER_ADDRESS)
        )
    waits = []
    for failures, limit in checks:
        recent = list(
            failures.filter(at__gte=since).order_by("-at").values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            # Free again when the oldest of the last `limit` failures leaves the window.
            waits.append((recent[-1] + _window() - timezone.now()).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def check_login(username: str, address: str | None) -> None:
    wait = login_retry_after(username, address)
    if wait is not None:
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            ngettext(
                "Too many failed log-ins. Try again in %(n)d minute.",
                "Too many failed log-ins. Try again in %(n)d minutes.",
                minutes,
            )
            % {"n": minutes},
            retry_after=wait,
        )


def record_login_failure(username: str, address: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - _window()).delete()
    LoginFailure.objects.create(username=username.strip().lower()[:150], address=address, at=now)


def clear_login_failures(username: str) -> None:
    """A successful log-in forgives the account's earlier failures (not the address's)."""
    LoginFailure.objects.filter(username=username.strip().lower()).delete()


def check_api_rate(user_id: int) -> None:
    """At most API_REQUESTS_PER_MINUTE requests per user per calendar minute."""
    limit = settings.API_REQUESTS_PER_MINUTE
    if not limit:
        return
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{user_id}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        wait = max(1, math.ceil((window + 1) * 60 - now))
        raise TooManyRequests(
            _("Too many requests. Try again in %(n)d seconds.") % {"n": wait}, retry_after=wait
        )
