"""Call an outgoing webhook with the record: a signed delivery, retried and logged on its own."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from lejek.automation import queue, tasks
from lejek.automation.actions.base import Action, Context, Params
from lejek.automation.models import WebhookDelivery, WebhookSubscription
from lejek.core.errors import ValidationFailed
from lejek.core.listing import MAX_ID


class CallWebhookParams(Params):
    subscription_id: int = Field(..., ge=1, le=MAX_ID)


def _subscription(params: Any) -> WebhookSubscription:
    found = WebhookSubscription.objects.filter(pk=params.subscription_id, is_active=True).first()
    if found is None:
        raise ValidationFailed.field(
            "subscription_id", f"No active webhook {params.subscription_id}."
        )
    return found


class CallWebhook(Action):
    type = "call_webhook"
    label = _("Call an outgoing webhook")
    params = CallWebhookParams

    def check(self, params: Any, entity_type: str) -> None:
        _subscription(params)

    def describe(self, ctx: Context, params: Any) -> str:
        return f"POST the {ctx.entity_type} to {_subscription(params).url}"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        subscription = _subscription(params)
        payload = {
            "event": "automation.called",
            "rule": ctx.title,
            "entity_type": ctx.entity_type,
            "entity_id": ctx.record.pk,
            "record": ctx.merge_fields()["record"],
            "trigger": ctx.event,
        }
        delivery, created = WebhookDelivery.objects.get_or_create(
            delivery_key=ctx.key(index),
            defaults={
                "subscription": subscription,
                "event_type": "automation.called",
                "payload": payload,
                "max_attempts": queue.max_attempts(),
            },
        )
        if created:
            queue.enqueue_on_commit(tasks.deliver_webhook, delivery.pk)
        return f"Webhook delivery {delivery.pk} to {subscription.url} queued"
