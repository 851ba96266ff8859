"""Helpers for the automation tests: wall-clock moments, a movable clock, records."""

import datetime
import email
import socket
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.contacts import services as contact_services
from lejek.contacts.models import Person
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline, Stage

WARSAW = ZoneInfo("Europe/Warsaw")


def local(*args: int) -> datetime.datetime:
    """A moment on the organisation's wall clock (settings.TIME_ZONE is Europe/Warsaw)."""
    return datetime.datetime(*args, tzinfo=WARSAW)  # type: ignore[misc]


class Clock:
    """`timezone.now()` under the test's control; dates lie ahead of the real clock."""

    def __init__(self, start: datetime.datetime) -> None:
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now.astimezone(datetime.UTC)

    def set(self, moment: datetime.datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now = self.now + datetime.timedelta(**delta)


class Inbox:
    """What the local SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


DEMO = "Demo/intro meeting booked"


def make_person(owner: User, email: str = "ann@example.com") -> Person:
    return contact_services.person_create(
        actor=owner, data={"first_name": "Ann", "last_name": "Nowak", "email": email}
    )


def make_deal(owner: User, pipeline: Pipeline, stage_name: str, person: Person | None) -> Deal:
    return pipeline_services.deal_create(
        actor=owner,
        data={
            "title": "Acme rollout",
            "pipeline_id": pipeline.pk,
            "stage_id": stage(pipeline, stage_name).pk,
            "person_ids": [person.pk] if person else [],
        },
    )


def book_meeting(owner: User, deal: Deal, start: datetime.datetime) -> Activity:
    return activity_services.activity_create(
        actor=owner,
        data={
            "kind": "meeting",
            "subject": "Demo",
            "due_at": start,
            "duration_minutes": 60,
            "deal_id": deal.pk,
        },
    )


def move(actor: User, deal: Deal, stage_obj: Stage, **kwargs: Any) -> Deal:
    fresh = Deal.objects.select_related("stage", "pipeline", "owner").get(pk=deal.pk)
    return pipeline_services.deal_move_to_stage(
        actor=actor, deal=fresh, stage=stage_obj, version=fresh.version, **kwargs
    )
