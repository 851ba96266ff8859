"""Log-in throttling per account and per address, and the API's per-user request limit."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from lejek.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def log_in(username: str, password: str, address: str = "10.0.0.1") -> object:
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def page_text(response) -> str:
    """The page without what differs on every request (the CSRF tokens)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def test_unknown_user_and_wrong_password_get_the_same_answer(owner):
    wrong = log_in("owner", "not-the-password")
    unknown = log_in("nobody-by-this-name", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert page_text(wrong).replace("owner", "X") == page_text(unknown).replace(
        "nobody-by-this-name", "X"
    )
    # Both count: throttling does not tell real names from made-up ones.
    assert LoginFailure.objects.filter(username__in=["owner", "nobody-by-this-name"]).count() == 2


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=5, LOGIN_FAILURE_WINDOW_SECONDS=900)
def test_account_is_throttled_after_five_failures_even_with_the_right_password(owner):
    for _ in range(5):
        assert log_in("owner", "wrong", address="10.0.0.2").status_code == 200
    blocked = log_in("owner", "pass-owner", address="10.0.0.3")
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 900
    assert "Too many failed log-ins" in blocked.content.decode()
    assert "_auth_user_id" not in blocked.wsgi_request.session
    # Once the failures are older than the window, the right password works again.
    LoginFailure.objects.update(at=LoginFailure.objects.first().at - timedelta(seconds=901))
    assert log_in("owner", "pass-owner").status_code == 302


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=5)
def test_a_successful_log_in_forgives_the_accounts_failures(owner):
    for _ in range(4):
        log_in("owner", "wrong")
    assert log_in("owner", "pass-owner").status_code == 302
    assert not LoginFailure.objects.filter(username="owner").exists()


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=100, LOGIN_FAILURES_PER_ADDRESS=10)
def test_an_address_trying_many_names_is_throttled(owner):
    for i in range(10):
        log_in(f"guess{i}", "wrong", address="192.0.2.7")
    assert log_in("owner", "pass-owner", address="192.0.2.7").status_code == 429
    # Another address is not affected.
    assert log_in("owner", "pass-owner", address="192.0.2.8").status_code == 302


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_token_requests_share_the_throttle_and_answer_429_with_retry_after(owner):
    client = Client(REMOTE_ADDR="10.0.0.9")

    def ask(password: str):
        return client.post(
            "/api/v1/auth/tokens",
            {"username": "owner", "password": password, "name": "cli"},
            content_type="application/json",
        )

    for _ in range(3):
        assert ask("wrong").status_code == 401
    blocked = ask("pass-owner")
    assert blocked.status_code == 429
    body = blocked.json()
    assert body["code"] == "rate_limited" and body["retry_after"] == int(blocked["Retry-After"])


@override_settings(API_REQUESTS_PER_MINUTE=3)
def test_api_requests_over_the_per_minute_limit_get_429(api_as, owner, teammate):
    cache.clear()
    client = api_as(owner)
    answers = [client.get("auth/me").status_code for _ in range(4)]
    limited = client.get("auth/me")
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    # The limit is per user.
    assert api_as(teammate).get("auth/me").status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=1)
def test_the_throttle_message_is_translated(owner):
    log_in("owner", "wrong")
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="pl")
    blocked = client.post(LOGIN, {"username": "owner", "password": "wrong"})
    assert blocked.status_code == 429
    assert "Zbyt wiele nieudanych logowań" in blocked.content.decode()
