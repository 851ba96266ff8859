"""One timeline per record: its activities and its history, newest first, in one SQL query.

Each source (activities, audit entries, stage and status changes) is a `.values()` query with
the same columns in the same order, joined with UNION ALL and ordered and sliced once. Literal
and NULL columns are cast to a concrete type: PostgreSQL resolves the type of an untyped NULL
pairwise across a UNION and would otherwise fail on "text and timestamp cannot be matched".
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import DateTimeField, F, Model, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.core.models import AuditEntry
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, StageChange, StatusChange

ACTIVITY = "activity"
AUDIT = "audit"
STAGE_CHANGE = "stage_change"
STATUS_CHANGE = "status_change"
STATUS_TITLES = {"won": "Won", "lost": "Lost", "open": "Reopened"}
# Stage and status moves have their own rows with stage names; their audit twins would repeat them.
AUDIT_SHOWN_ELSEWHERE = {
    "deal": (AuditEntry.Action.STAGE_CHANGED, AuditEntry.Action.STATUS_CHANGED),
}


def _text(value: str) -> Cast:
    return Cast(Value(value), TextField())


def _no_text() -> Cast:
    return Cast(Value(None), TextField())


def _no_time() -> Cast:
    return Cast(Value(None), DateTimeField())


def _columns(**values: Any) -> dict[str, Any]:
    """The timeline columns, always in this order; `values` fills those a source has."""
    defaults = {
        "t_type": None,
        "t_at": None,
        "t_id": None,
        "t_title": _text(""),
        "t_body": _text(""),
        "t_actor": None,
        "t_subtype": _text(""),
        "t_field": _text(""),
        "t_old": _no_text(),
        "t_new": _no_text(),
        "t_due": _no_time(),
        "t_done": _no_time(),
        "t_outcome": _text(""),
        "t_direction": _text(""),
    }
    unknown = set(values) - set(defaults)
    if unknown:
        raise ValueError(f"Unknown timeline columns: {unknown}")
    return {name: values.get(name, default) for name, default in defaults.items()}


def activity_rows(where: Q) -> QuerySet[Any]:
    return (
        Activity.objects.alive()
        .filter(where)
        .order_by()
        .values(
            **_columns(
                t_type=_text(ACTIVITY),
                t_at=Coalesce("done_at", "created_at"),
                t_id=F("id"),
                t_title=F("subject"),
                t_body=F("body"),
                t_actor=F("owner_id"),
                t_subtype=F("kind"),
                t_due=F("due_at"),
                t_done=F("done_at"),
                t_outcome=F("outcome"),
                t_direction=F("direction"),
            )
        )
    )


def audit_rows(entity_type: str, entity_id: int, also: Iterable[int] = ()) -> QuerySet[Any]:
    """The record's history; `also`: records merged into it, whose history it keeps."""
    ids = [entity_id, *also]
    qs = AuditEntry.objects.filter(entity_type=entity_type, entity_id__in=ids)
    hidden = AUDIT_SHOWN_ELSEWHERE.get(entity_type)
    if hidden:
        qs = qs.exclude(action__in=hidden)
    return qs.order_by().values(
        **_columns(
            t_type=_text(AUDIT),
            t_at=F("at"),
            t_id=F("id"),
            t_body=F("note"),
            t_actor=F("actor_id"),
            t_subtype=F("action"),
            t_field=F("field"),
            t_old=F("old_value"),
            t_new=F("new_value"),
        )
    )


def stage_change_rows(deal_id: int) -> QuerySet[Any]:
    return (
        StageChange.objects.filter(deal_id=deal_id)
        .order_by()
        .values(
            **_columns(
                t_type=_text(STAGE_CHANGE),
                t_at=F("at"),
                t_id=F("id"),
                t_body=F("note"),
                t_actor=F("actor_id"),
                t_subtype=F("reason"),
                t_field=_text("stage"),
                t_old=F("from_stage__name"),
                t_new=F("to_stage__name"),
            )
        )
    )


def status_change_rows(deal_id: int) -> QuerySet[Any]:
    return (
        StatusChange.objects.filter(deal_id=deal_id)
        .order_by()
        .values(
            **_columns(
                t_type=_text(STATUS_CHANGE),
                t_at=F("at"),
                t_id=F("id"),
                t_body=F("lost_reason"),
                t_actor=F("actor_id"),
                t_subtype=F("to_status"),
                t_field=_text("status"),
                t_old=F("from_status"),
                t_new=F("to_status"),
            )
        )
    )


def deal_entries(deal: Deal) -> QuerySet[Any]:
    return activity_rows(Q(deal_id=deal.pk)).union(
        audit_rows("deal", deal.pk),
        stage_change_rows(deal.pk),
        status_change_rows(deal.pk),
        all=True,
    )


def lead_entries(lead: Lead) -> QuerySet[Any]:
    merged = Lead.objects.filter(merged_into=lead.pk).values_list("pk", flat=True)
    history = audit_rows("lead", lead.pk, also=list(merged))
    return activity_rows(Q(lead_id=lead.pk)).union(history, all=True)


def person_entries(person: Person) -> QuerySet[Any]:
    return activity_rows(Q(person_id=person.pk)).union(audit_rows("person", person.pk), all=True)


def organization_entries(organization: Organization) -> QuerySet[Any]:
    pk = organization.pk
    where = Q(organization_id=pk) | Q(person__organization_id=pk) | Q(deal__organization_id=pk)
    return activity_rows(where).union(audit_rows("organization", pk), all=True)


SOURCES: dict[str, tuple[type[Model], Callable[[Any], QuerySet[Any]]]] = {
    "deal": (Deal, deal_entries),
    "lead": (Lead, lead_entries),
    "person": (Person, person_entries),
    "organization": (Organization, organization_entries),
}


def record_timeline(
    *, user: User, record_type: str, pk: int, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """The timeline of a record `user` can see (else NotFound), one page of it."""
    model, entries = SOURCES[record_type]
    record = access.visible_or_404(model, user=user, pk=pk)
    return timeline_page(entries(record), limit=limit, offset=offset)


def timeline_page(entries: QuerySet[Any], *, limit: int, offset: int) -> dict[str, Any]:
    """Newest first: one query for the rows, at most one more for the actors' names."""
    ordered = entries.order_by("-t_at", "t_type", "-t_id")
    rows = list(ordered[offset : offset + limit + 1])
    has_next = len(rows) > limit
    rows = rows[:limit]
    actor_ids = {row["t_actor"] for row in rows if row["t_actor"] is not None}
    actors = User.objects.in_bulk(actor_ids) if actor_ids else {}
    return {
        "items": [_item(row, actors) for row in rows],
        "limit": limit,
        "offset": offset,
        "has_next": has_next,
    }


def _item(row: dict[str, Any], actors: dict[int, User]) -> dict[str, Any]:
    return {
        "type": row["t_type"],
        "id": row["t_id"],
        "at": row["t_at"],
        "title": _title(row),
        "body": row["t_body"] or "",
        "actor": actors.get(row["t_actor"]),
        "subtype": row["t_subtype"] or "",
        "field": row["t_field"] or "",
        "old_value": row["t_old"],
        "new_value": row["t_new"],
        "due_at": row["t_due"],
        "done_at": row["t_done"],
        "outcome": row["t_outcome"] or "",
        "direction": row["t_direction"] or "",
    }


def _title(row: dict[str, Any]) -> str:
    kind, subtype = row["t_type"], row["t_subtype"]
    if kind == ACTIVITY:
        return row["t_title"] or _label(Activity.Kind, subtype)
    if kind == STAGE_CHANGE:
        if row["t_old"] is None:
            return f"Entered stage {row['t_new']}"
        return f"Moved from {row['t_old']} to {row['t_new']}"
    if kind == STATUS_CHANGE:
        return STATUS_TITLES.get(subtype, subtype)
    label = _label(AuditEntry.Action, subtype).capitalize()
    return f"{label}: {row['t_field']}" if row["t_field"] else label


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value
