"""Leads for tests, made through the service so they carry their audit entries."""

from typing import Any

from lejek.accounts.models import User
from lejek.leads import services
from lejek.leads.models import Lead


def make_lead(owner: User, **data: Any) -> Lead:
    values: dict[str, Any] = {"first_name": "Jan", "last_name": "Kowalski", **data}
    return services.lead_create(actor=owner, data=values)
