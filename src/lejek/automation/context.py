"""The records automation acts on: loading them by type and id, their meeting, merge fields.

Merge fields are plain dictionaries of plain values, never model instances: a
template can only print what is listed here and can call no method of a model.
"""

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.core.models import OwnedRecord
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal

MODELS: dict[str, type[OwnedRecord]] = {
    "deal": Deal,
    "lead": Lead,
    "person": Person,
    "organization": Organization,
    "activity": Activity,
}
RELATED = {
    "deal": ("owner", "stage", "pipeline", "organization", "lead"),
    "lead": ("owner",),
    "person": ("owner", "organization"),
    "organization": ("owner",),
    "activity": ("owner", "deal", "lead", "person", "organization"),
}


def model_for(entity_type: str) -> type[OwnedRecord]:
    if entity_type not in MODELS:
        raise KeyError(entity_type)
    return MODELS[entity_type]


def entity_type_of(record: models.Model) -> str:
    return record._meta.model_name or ""


def load(entity_type: str, entity_id: int) -> Any:
    """The live record, with what merge fields and conditions read; None when gone."""
    model = MODELS.get(entity_type)
    if model is None:
        return None
    qs = model.objects.alive().select_related(*RELATED[entity_type])  # type: ignore[attr-defined]
    return qs.filter(pk=entity_id).first()


def meetings_of(deal_ids: list[int]) -> dict[int, list[Activity]]:
    """Live meetings per deal, in one query."""
    found: dict[int, list[Activity]] = {pk: [] for pk in deal_ids}
    rows = Activity.objects.alive().filter(deal_id__in=deal_ids, kind=Activity.Kind.MEETING)
    for meeting in rows.order_by("due_at", "pk"):
        found.setdefault(meeting.deal_id or 0, []).append(meeting)
    return found


def current_meeting(meetings: list[Activity]) -> Activity | None:
    """The meeting a deal's emails speak of: the earliest open one, else the last one held."""
    open_ones = [m for m in meetings if m.done_at is None and m.due_at is not None]
    if open_ones:
        return min(open_ones, key=lambda m: (m.due_at, m.pk))
    done = [m for m in meetings if m.done_at is not None]
    return max(done, key=lambda m: (m.done_at, m.pk)) if done else None


def deal_meeting(deal_id: int) -> Activity | None:
    return current_meeting(meetings_of([deal_id])[deal_id])


def meeting_for(record: Any) -> Activity | None:
    """The meeting a record's emails speak of: a deal's current one, or the activity itself."""
    if isinstance(record, Deal):
        return deal_meeting(record.pk)
    if isinstance(record, Activity) and record.kind == Activity.Kind.MEETING:
        return record
    return None


def primary_person(record: Any) -> Person | None:
    """Who a record's emails go to: the deal's first contact with an email, and so on."""
    if isinstance(record, Person):
        return record
    if isinstance(record, Deal):
        people = record.people.alive().exclude(email="").order_by("pk")  # type: ignore[attr-defined]
        return people.first()
    if isinstance(record, Organization):
        return record.people.alive().exclude(email="").order_by("pk").first()  # type: ignore[attr-defined]
    if isinstance(record, Activity) and record.person_id:
        return record.person
    return None


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _person(person: Person | None) -> dict[str, Any]:
    if person is None:
        return {}
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "email": person.email,
        "job_title": person.job_title,
    }


def _meeting(meeting: Activity | None) -> dict[str, Any]:
    if meeting is None or meeting.due_at is None:
        return {}
    start = _local(meeting.due_at)
    assert start is not None
    end = start + datetime.timedelta(minutes=meeting.duration_minutes or 60)
    return {
        "subject": meeting.subject,
        "start": start,
        "end": end,
        "date": start.date(),
        "time": start.strftime("%H:%M"),
        "duration_minutes": meeting.duration_minutes or 60,
        "notes": meeting.body,
        "outcome": meeting.outcome,
    }


def _record(record: Any) -> dict[str, Any]:
    if isinstance(record, Deal):
        return {
            "title": record.title,
            "amount": record.amount,
            "currency": record.currency,
            "stage": record.stage.name,
            "pipeline": record.pipeline.name,
            "status": record.status,
            "expected_close_date": record.expected_close_date,
            "next_step": record.next_step,
            "organization": record.organization.name if record.organization else "",
        }
    if isinstance(record, Lead):
        return {
            "title": record.title,
            "first_name": record.first_name,
            "last_name": record.last_name,
            "email": record.email,
            "company_name": record.company_name,
            "status": record.status,
            "score": record.score,
        }
    if isinstance(record, Organization):
        return {"name": record.name, "domain": record.domain, "city": record.city}
    if isinstance(record, Person):
        return _person(record)
    if isinstance(record, Activity):
        return {"subject": record.subject, "kind": record.kind, "due_at": _local(record.due_at)}
    return {}


def merge_fields(record: Any, *, meeting: Activity | None = None) -> dict[str, Any]:
    """Everything an email or task template may use, as plain values."""
    entity_type = entity_type_of(record)
    owner = record.owner
    person = primary_person(record)
    organization = getattr(record, "organization", None)
    values: dict[str, Any] = {
        "record": _record(record),
        "owner": {
            "name": owner.display_name,
            "first_name": owner.first_name,
            "last_name": owner.last_name,
            "email": owner.email,
        },
        "contact": _person(person),
        "organization": {"name": organization.name} if organization is not None else {},
        "meeting": _meeting(meeting),
        "today": timezone.localdate(),
    }
    values[entity_type] = values["record"]
    return values
