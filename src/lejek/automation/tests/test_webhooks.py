"""Outgoing webhooks: signed deliveries, retries, a log, and no way into the private network."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest

from lejek.accounts.models import User
from lejek.automation import outgoing, webhooks
from lejek.automation.models import WebhookDelivery, WebhookSubscription
from lejek.automation.tests.helpers import make_deal, move, stage
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Pipeline

pytestmark = pytest.mark.django_db

SSRF_CORPUS = [
    "http://127.1/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://0.0.0.0/hook",
    "http://10.0.0.1/hook",
    "http://224.0.0.1/hook",
]


class Receiver:
    """A local HTTP server: records each request, answers with `status` (or a redirect)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(302 if receiver.location else receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.mark.parametrize("url", SSRF_CORPUS)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(outgoing.Refused, match="is not a public address"):
        outgoing.check_url(url)


@pytest.mark.parametrize("url", SSRF_CORPUS[:5])
def test_subscriptions_to_private_addresses_are_rejected(
    api_as: Any, admin: User, url: str
) -> None:
    response = api_as(admin).post(
        "automation/webhooks", {"name": "x", "url": url, "event_types": ["deal.won"]}
    )
    assert response.status_code == 422
    assert "url" in response.json()["errors"]


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    answers = ["93.184.216.34", "10.20.30.40"]
    with (
        mock.patch.object(outgoing, "resolve", return_value=answers),
        pytest.raises(outgoing.Refused, match=r"10\.20\.30\.40 is not a public address"),
    ):
        outgoing.check_url("https://hooks.example.com/in")


def test_a_redirect_to_a_private_address_is_not_followed(receiver: Receiver) -> None:
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(outgoing.Refused):
        outgoing.post(receiver.url, b"{}", {"Content-Type": "application/json"})
    assert len(receiver.requests) == 1  # the first hop only


def test_a_redirect_to_another_loopback_address_is_refused(receiver: Receiver) -> None:
    receiver.location = "http://127.0.0.2:1/"  # loopback, but not in the allow-list
    with pytest.raises(outgoing.Refused):
        outgoing.post(receiver.url, b"{}", {})


def test_allow_list_admits_a_private_network(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert outgoing.check_url("http://10.1.2.3:8080/x")[3] == "10.1.2.3"
    with pytest.raises(outgoing.Refused):
        outgoing.check_url("http://127.0.0.1/x")


def test_other_schemes_and_credentials_are_refused() -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/", "http://user:pw@example.com/"):
        with pytest.raises(outgoing.Refused):
            outgoing.check_url(url)


def test_stage_change_is_delivered_signed(
    api_as: Any,
    admin: User,
    owner: User,
    outbound: Pipeline,
    receiver: Receiver,
    run_on_commit: Any,
) -> None:
    created = api_as(admin).post(
        "automation/webhooks",
        {"name": "ERP", "url": receiver.url, "event_types": ["deal.stage_changed"]},
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", None)
    run_on_commit(move, owner, deal, stage(outbound, "Conversation started"))

    assert len(receiver.requests) == 2  # created in a stage, then moved
    request = receiver.requests[1]
    headers, body = request["headers"], request["body"]
    assert headers["X-Lejek-Event"] == "deal.stage_changed"
    expected = hmac.new(
        secret.encode(), headers["X-Lejek-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Lejek-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["entity_id"] == deal.pk
    assert payload["data"]["to_stage"] == "Conversation started"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}

    listed = api_as(admin).get(f"automation/webhooks/{created.json()['id']}/deliveries")
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2
    assert "secret" not in api_as(admin).get("automation/webhooks").json()[0]


def test_failed_delivery_is_retried_then_delivered(
    admin: User,
    owner: User,
    outbound: Pipeline,
    receiver: Receiver,
    clock: Any,
    run_on_commit: Any,
    tick: Any,
) -> None:
    webhooks.subscription_create(
        actor=admin, data={"name": "ERP", "url": receiver.url, "event_types": ["deal.won"]}
    )
    receiver.status = 503
    deal = run_on_commit(make_deal, owner, outbound, "Cold prospect", None)
    run_on_commit(pipeline_services.deal_mark_won, actor=owner, deal=deal, version=deal.version)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
    receiver.status = 200
    assert delivery.next_attempt_at is not None
    clock.set(delivery.next_attempt_at)
    tick()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.requests) == 2


def test_a_refused_delivery_fails_at_once(owner: User, admin: User, run_on_commit: Any) -> None:
    subscription = WebhookSubscription.objects.create(
        name="old", url="http://169.254.169.254/", secret="s" * 20, event_types=["*"]
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, delivery_key="k", event_type="deal.won", payload={}
    )
    assert webhooks.attempt(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_error.startswith("Refused")


def test_only_admins_manage_webhooks(api_as: Any, manager: User, owner: User) -> None:
    body = {"name": "x", "url": "https://example.com/h", "event_types": ["deal.won"]}
    assert api_as(manager).post("automation/webhooks", body).status_code == 403
    assert api_as(owner).get("automation/webhooks").status_code == 403
