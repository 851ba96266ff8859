"""Leads, the web forms that capture them and the rules that route them to reps."""

from lejek.leads.models.capture import WebForm, WebFormSubmission
from lejek.leads.models.lead import Lead, LeadStatus, Source
from lejek.leads.models.routing import RoundRobinCursor, RoutingRule

__all__ = [
    "Lead",
    "LeadStatus",
    "RoundRobinCursor",
    "RoutingRule",
    "Source",
    "WebForm",
    "WebFormSubmission",
]
