"""Changing a record through its own app's service, whatever kind of record it is."""

from typing import Any

from lejek.activities import services as activity_services
from lejek.contacts import services as contact_services
from lejek.leads import services as lead_services
from lejek.pipelines import services as pipeline_services

# Fields a "set field" action may write, per kind of record; the services validate values.
SETTABLE = {
    "deal": (
        "title",
        "amount",
        "currency",
        "contract_years",
        "expected_close_date",
        "forecast_category",
        "committed_amount",
        "committed_date",
        "source",
        "next_step",
    ),
    "lead": (
        "title",
        "campaign",
        "need",
        "timeline",
        "pain_points",
        "budget",
        "budget_currency",
        "budget_confirmed",
        "authority",
        "company_size",
        "job_title",
        "industry",
        "country",
    ),
    "person": ("job_title", "phone"),
    "organization": ("industry", "city", "country", "website", "phone"),
    "activity": ("subject", "body", "outcome"),
}


def update(record: Any, entity_type: str, *, actor: Any, data: dict[str, Any]) -> Any:
    """Apply `data` at the record's current version; the service audits and validates it."""
    version = record.version
    if entity_type == "deal":
        return pipeline_services.deal_update(actor=actor, deal=record, data=data, version=version)
    if entity_type == "lead":
        return lead_services.lead_update(actor=actor, lead=record, data=data, version=version)
    if entity_type == "person":
        return contact_services.person_update(
            actor=actor, person=record, data=data, version=version
        )
    if entity_type == "organization":
        return contact_services.organization_update(
            actor=actor, organization=record, data=data, version=version
        )
    if entity_type == "activity":
        return activity_services.activity_update(
            actor=actor, activity=record, data=data, version=version
        )
    raise ValueError(f"Cannot update a {entity_type}")
