"""Helpers for page tests: records made through the services, and signed-in clients."""

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lejek.accounts.models import User
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline

# Who may see a record owned by `owner` (a rep of team A).
CAN_SEE = {
    "owner": True,
    "teammate": False,
    "manager": True,
    "outsider": False,
    "other_manager": False,
    "admin": True,
}
HOSTILE = '<script>alert("x")</script>'


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def organization(owner: User, name: str = "Acme", **data: Any) -> Organization:
    return contact_services.organization_create(actor=owner, data={"name": name, **data})


def person(owner: User, last_name: str = "Nowak", **data: Any) -> Person:
    return contact_services.person_create(actor=owner, data={"last_name": last_name, **data})


def lead(owner: User, **data: Any) -> Lead:
    values = {"first_name": "Jan", "last_name": "Kowalski", **data}
    return lead_services.lead_create(actor=owner, data=values)


def pipeline(admin: User, template: str = "probability_weighted") -> Pipeline:
    return pipeline_services.pipeline_create(actor=admin, template=template)


def deal(owner: User, pipeline: Pipeline, title: str = "Deal", **data: Any) -> Deal:
    values = {"title": title, "pipeline_id": pipeline.pk, **data}
    return pipeline_services.deal_create(actor=owner, data=values)


def count_queries(client: Client, url: str, **params: Any) -> int:
    """Queries for one GET (after a warm-up, so sessions and caches are settled)."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def text(response: Any) -> str:
    return response.content.decode()
