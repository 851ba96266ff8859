"""Records to hang activities on. Deals are made with the ORM directly: only the rows matter."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Pipeline, Stage


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A time in the site's time zone, as a person in the office reads it."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def stages(db: Any) -> list[Stage]:
    pipeline = Pipeline.objects.create(name="Sales")
    return [
        Stage.objects.create(pipeline=pipeline, name=name, order=i, probability=p)
        for i, (name, p) in enumerate([("Qualify", 10), ("Demo", 40), ("Proposal", 70)])
    ]


@pytest.fixture
def make_deal(stages: list[Stage]) -> Any:
    def make(owner: User, title: str = "Deal", **extra: Any) -> Deal:
        return Deal.objects.create(
            title=title, owner=owner, pipeline=stages[0].pipeline, stage=stages[0], **extra
        )

    return make


@pytest.fixture
def make_lead(db: Any) -> Any:
    def make(owner: User, title: str = "Lead", **extra: Any) -> Lead:
        return Lead.objects.create(title=title, owner=owner, **extra)

    return make


@pytest.fixture
def make_org(db: Any) -> Any:
    def make(owner: User, name: str = "Acme") -> Organization:
        return Organization.objects.create(name=name, owner=owner)

    return make


@pytest.fixture
def make_person(db: Any) -> Any:
    def make(owner: User, last_name: str = "Nowak", **extra: Any) -> Person:
        return Person.objects.create(last_name=last_name, owner=owner, **extra)

    return make


@pytest.fixture
def deal(owner: User, make_deal: Any) -> Deal:
    return make_deal(owner)


@pytest.fixture
def lead(owner: User, make_lead: Any) -> Lead:
    return make_lead(owner)
