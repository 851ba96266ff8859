"""Helpers for the scoring tests: the example rules, a persona lead, events to send."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from lejek.accounts.models import User
from lejek.leads.models import Lead
from lejek.leads.tests.factories import make_lead
from lejek.scoring import services

_ids = itertools.count(1)


def example_rules() -> None:
    services.rules_ensure_defaults()


def persona_lead(owner: User, **data: Any) -> Lead:
    """A lead that fits the example buyer persona: a decision maker at a 50-person company."""
    values = {
        "email": "jan@acme.example",
        "company_name": "Acme",
        "company_domain": "acme.example",
        "authority": "decision_maker",
        "company_size": 50,
        **data,
    }
    return make_lead(owner, **values)


def event(lead: Lead | None, type: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"event_id": f"evt-{next(_ids)}", "type": type, **extra}
    if lead is not None:
        values.setdefault("lead_id", lead.pk)
    return values


def golden_events(lead: Lead) -> list[dict[str, Any]]:
    """Seed 002: visits the pricing page, opens two emails, clicks one."""
    return [
        event(lead, "page_visited", url="https://acme.example/pricing"),
        event(lead, "email_opened"),
        event(lead, "email_opened"),
        event(lead, "link_clicked", url="https://lejek.example/case-study"),
    ]


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def as_service(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API-shaped events as the ingest service takes them."""
    out = []
    for e in events:
        values = dict(e)
        values["external_id"] = values.pop("event_id")
        out.append(values)
    return out
