"""Automation models, one module per concern."""

from lejek.automation.models.calendar import Holiday
from lejek.automation.models.campaigns import Campaign, Membership
from lejek.automation.models.emails import EmailTemplate
from lejek.automation.models.rules import EntityType, Rule, Trigger
from lejek.automation.models.runs import (
    Anchor,
    AutomationRun,
    Event,
    Offset,
    ScheduledAction,
    State,
)
from lejek.automation.models.sops import DealStep, StageChecklist, StepKind, StepTemplate
from lejek.automation.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "Anchor",
    "AutomationRun",
    "Campaign",
    "DealStep",
    "EmailTemplate",
    "EntityType",
    "Event",
    "Holiday",
    "Membership",
    "Offset",
    "Rule",
    "ScheduledAction",
    "StageChecklist",
    "State",
    "StepKind",
    "StepTemplate",
    "Trigger",
    "WebhookDelivery",
    "WebhookSubscription",
]
