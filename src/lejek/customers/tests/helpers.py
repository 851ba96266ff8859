"""Helpers for the customers tests: records made through the services, a controllable clock."""

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lejek.accounts.models import User
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline

WARSAW = ZoneInfo("Europe/Warsaw")


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)  # type: ignore[misc]


class Clock:
    """`timezone.now()` under the test's control."""

    def __init__(self, start: datetime.datetime) -> None:
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now.astimezone(datetime.UTC)

    def set(self, moment: datetime.datetime) -> None:
        self.now = moment


def organization(owner: User, name: str = "Acme") -> Organization:
    return contact_services.organization_create(actor=owner, data={"name": name})


def deal(owner: User, pipeline: Pipeline, org: Organization | None, **data: Any) -> Deal:
    return pipeline_services.deal_create(
        actor=owner,
        data={
            "title": "Acme rollout",
            "pipeline_id": pipeline.pk,
            "organization_id": org.pk if org else None,
            "amount": Decimal("12000"),
            "currency": "USD",
            **data,
        },
    )


def win(actor: User, deal: Deal) -> Deal:
    deal = Deal.objects.get(pk=deal.pk)
    return pipeline_services.deal_mark_won(actor=actor, deal=deal, version=deal.version)


def lose(actor: User, deal: Deal, reason: str = "Went elsewhere") -> Deal:
    deal = Deal.objects.get(pk=deal.pk)
    return pipeline_services.deal_mark_lost(
        actor=actor, deal=deal, version=deal.version, lost_reason=reason
    )
