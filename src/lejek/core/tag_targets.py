"""Which records may carry tags, by the name the API and pages use for their kind."""

from typing import Any

from django.apps import apps

# kind -> "app_label.Model"
KINDS = {
    "deal": "pipelines.Deal",
    "lead": "leads.Lead",
    "person": "contacts.Person",
    "organization": "contacts.Organization",
    "activity": "activities.Activity",
}


def model_of(kind: str) -> Any:
    return apps.get_model(KINDS[kind])
