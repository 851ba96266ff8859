"""Outgoing webhooks: subscriptions, signed payloads, deliveries with retries and a log.

Each request carries `X-Lejek-Signature: sha256=<hex>`, the HMAC-SHA256 with the
subscription's secret of "<X-Lejek-Timestamp>.<body>"; receivers recompute it
and reject stale timestamps.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import outgoing, queue, tasks
from lejek.automation.models import Event, WebhookDelivery, WebhookSubscription
from lejek.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "deal.created",
    "deal.updated",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
    "deal.stale",
    "lead.created",
    "lead.updated",
    "person.created",
    "person.updated",
    "organization.created",
    "organization.updated",
    "activity.created",
    "activity.updated",
    "automation.called",
)
ALL = "*"
# A claimed delivery is not handed out again for this long (a crashed worker's one is).
LEASE_SECONDS = 300


def event_type(event: Event) -> str:
    kind = "stale" if event.kind == "became_stale" else event.kind
    return f"{event.entity_type}.{kind}"


def _check(data: dict[str, Any]) -> None:
    if "url" in data:
        try:
            outgoing.check_url(data["url"])
        except outgoing.Refused as exc:
            raise ValidationFailed.field("url", str(exc)) from exc
    unknown = [t for t in data.get("event_types") or [] if t not in (*EVENT_TYPES, ALL)]
    if unknown:
        raise ValidationFailed.field("event_types", f"Unknown event type '{unknown[0]}'.")


@transaction.atomic
def subscription_create(*, actor: User, data: dict[str, Any]) -> WebhookSubscription:
    """A new subscription; its secret is generated unless given, and shown only now."""
    access.require_admin(actor, "manage webhooks")
    _check(data)
    return WebhookSubscription.objects.create(
        name=data["name"],
        url=data["url"],
        secret=data.get("secret") or secrets.token_urlsafe(32),
        event_types=list(dict.fromkeys(data.get("event_types") or [])),
        is_active=data.get("is_active", True),
        created_by=actor,
    )


@transaction.atomic
def subscription_update(
    *, actor: User, subscription: WebhookSubscription, data: dict[str, Any]
) -> WebhookSubscription:
    access.require_admin(actor, "manage webhooks")
    _check(data)
    for name in ("name", "url", "event_types", "is_active", "secret"):
        if data.get(name) is not None:
            setattr(subscription, name, data[name])
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: WebhookSubscription) -> None:
    access.require_admin(actor, "manage webhooks")
    subscription.delete()


def payload_for(event: Event) -> dict[str, Any]:
    return {
        "event": event_type(event),
        "id": event.pk,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "data": event.data,
        "occurred_at": event.created_at.isoformat(),
    }


def fan_out(event: Event) -> int:
    """A delivery per active subscription that wants this event; each queued once."""
    name = event_type(event)
    count = 0
    for subscription in WebhookSubscription.objects.filter(is_active=True):
        if name not in subscription.event_types and ALL not in subscription.event_types:
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(
            delivery_key=f"event:{event.pk}:{subscription.pk}",
            defaults={
                "subscription": subscription,
                "event_type": name,
                "payload": payload_for(event),
                "max_attempts": queue.max_attempts(),
            },
        )
        if created:
            queue.enqueue_on_commit(tasks.deliver_webhook, delivery.pk)
            count += 1
    return count


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def send(delivery: WebhookDelivery) -> outgoing.Response:
    """One signed POST of the delivery's payload (no bookkeeping)."""
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Lejek-Webhooks/1",
        "X-Lejek-Event": delivery.event_type,
        "X-Lejek-Delivery": str(delivery.pk),
        "X-Lejek-Timestamp": timestamp,
        "X-Lejek-Signature": sign(delivery.subscription.secret, timestamp, body),
    }
    return outgoing.post(delivery.subscription.url, body, headers)


def attempt(delivery_id: int) -> str:
    """Try a delivery once if it is due; schedule the retry or give up after the last attempt."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        WebhookDelivery.objects.filter(due, pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .exclude(subscription__is_active=False)
        .update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + datetime.timedelta(seconds=LEASE_SECONDS),
        )
    )
    if not claimed:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    error, status = "", None
    try:
        response = send(delivery)
        status = response.status
        if not 200 <= response.status < 300:
            error = f"HTTP {response.status}: {response.body[:500]}"
    except outgoing.Refused as exc:
        error = f"Refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    finished = timezone.now()
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.SUCCEEDED,
            response_status=status,
            delivered_at=finished,
            last_error="",
            next_attempt_at=None,
        )
        return "delivered"
    # A refused address will not become public by waiting: give up at once.
    final = delivery.attempts >= delivery.max_attempts or error.startswith("Refused")
    retry_at = None if final else finished + queue.backoff(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING,
        response_status=status,
        last_error=error[:2000],
        next_attempt_at=retry_at,
    )
    if retry_at is not None:
        queue.enqueue(tasks.deliver_webhook, delivery.pk, at=retry_at)
    logger.info("Webhook delivery %s failed: %s", delivery.pk, error)
    return "failed" if final else "will retry"
