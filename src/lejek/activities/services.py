"""Writes to activities. Each runs in a transaction, leaves audit entries, and refreshes the
activity dates kept on the linked deal and lead."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Max, Min, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.core import records
from lejek.core.errors import Conflict, ValidationFailed
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal

Kind = Activity.Kind
Direction = Activity.Direction

# Fields a client may set directly; links and the owner arrive as ids and are resolved here.
PLAIN_FIELDS = (
    "kind",
    "subject",
    "body",
    "due_at",
    "done_at",
    "duration_minutes",
    "outcome",
    "direction",
    "is_reply",
    "is_positive",
)
LINKS = {
    "deal_id": ("deal", Deal),
    "lead_id": ("lead", Lead),
    "person_id": ("person", Person),
    "organization_id": ("organization", Organization),
}
NOT_NULL = ("kind", "subject", "body", "outcome", "direction", "is_reply")
CONVERSATIONS = (Kind.EMAIL, Kind.CALL)
# A client clock a little ahead of ours must not make "done just now" invalid.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def activity_create(*, actor: User, data: dict[str, Any]) -> Activity:
    """Create an activity or note on a deal, lead, person or organization (tasks may stand alone).

    Every linked record must be visible to `actor`; the owner defaults to `actor`.
    Emails and calls without a direction are taken as outbound: that is what a rep logs.
    """
    values = _values(actor, {"owner_id": None, **data})
    if values.get("kind") in CONVERSATIONS and not values.get("direction"):
        values["direction"] = Direction.OUTBOUND
    activity = Activity(**values, created_by=actor)
    _check_shape(activity)
    with transaction.atomic():
        records.create(actor=actor, instance=activity)
        refresh_linked_dates([activity])
    return activity


def activity_update(
    *, actor: User, activity: Activity, data: dict[str, Any], version: int
) -> Activity:
    """Change fields and links; `version` must be the one the client read, else 409.

    A new kind brings its defaults for what the client left out: a call or email becomes
    outbound, anything else drops the direction and reply flags it can no longer carry.
    """
    data = {k: v for k, v in data.items() if k != "done_at"}  # completion has its own services
    changes = _values(actor, data)
    if "kind" in changes:
        _fit_kind(activity, changes)
    before = _links_of(activity)
    with transaction.atomic():
        _check_shape(_merged(activity, changes))
        records.update(actor=actor, instance=activity, changes=changes, expected_version=version)
        refresh_linked_dates([activity], also=before)
    return activity


def activity_complete(
    *,
    actor: User,
    activity: Activity,
    version: int,
    outcome: str | None = None,
    duration_minutes: int | None = None,
    done_at: datetime.datetime | None = None,
    next_activity: dict[str, Any] | None = None,
) -> tuple[Activity, Activity | None]:
    """Mark an activity done and, if `next_activity` is given, schedule the next one.

    Both happen in one transaction: a bad next activity leaves the first one open.
    The next activity keeps the links and owner of this one unless it names its own.
    """
    if activity.kind == Kind.NOTE:
        raise ValidationFailed.field("kind", "A note is a record, not a to-do: it cannot be done.")
    if activity.done_at is not None:
        raise Conflict("This activity is already done. Reopen it first to complete it again.")
    changes: dict[str, Any] = {"done_at": _aware(done_at) or timezone.now()}
    if outcome is not None:  # an outcome noted before completion stays unless replaced
        changes["outcome"] = outcome
    if duration_minutes is not None:
        changes["duration_minutes"] = duration_minutes
    _check_done_at(changes["done_at"], field="done_at")
    with transaction.atomic():
        records.update(actor=actor, instance=activity, changes=changes, expected_version=version)
        follow_up = None
        if next_activity is not None:
            follow_up = _create_next(actor, activity, next_activity)
        refresh_linked_dates([activity])
    return activity, follow_up


def activity_reopen(*, actor: User, activity: Activity, version: int) -> Activity:
    """Undo a completion: the activity is open (and due, if it has a due time) again."""
    if activity.done_at is None:
        raise Conflict("This activity is not done.")
    with transaction.atomic():
        records.update(
            actor=actor, instance=activity, changes={"done_at": None}, expected_version=version
        )
        refresh_linked_dates([activity])
    return activity


def activity_delete(*, actor: User, activity: Activity, version: int) -> Activity:
    """Soft-delete; the linked deal and lead stop counting it at once."""
    with transaction.atomic():
        records.soft_delete(actor=actor, instance=activity, expected_version=version)
        refresh_linked_dates([activity])
    return activity


def refresh_linked_dates(
    activities: Iterable[Activity], *, also: Iterable[tuple[int | None, int | None]] = ()
) -> None:
    """Recompute the activity dates kept on the deals and leads these activities touch.

    `last_activity_at` is the latest done time (creation time for notes) of the record's live
    activities; `next_activity_at` the earliest due time of its live open non-note ones. A lead
    also gets `first_outbound_at` from its first done outbound email or call, once. These are
    derived values, so they are written with a plain UPDATE: no version bump, no audit entry.
    `also` holds (deal_id, lead_id) pairs an activity was linked to before a change.
    """
    pairs = [(a.deal_id, a.lead_id) for a in activities] + list(also)
    deal_ids = {d for d, _ in pairs if d is not None}
    lead_ids = {lead for _, lead in pairs if lead is not None}
    if deal_ids:
        Deal.objects.filter(pk__in=deal_ids).update(**_date_subqueries("deal"))
    if lead_ids:
        first_outbound = (
            Activity.objects.alive()
            .filter(
                lead=OuterRef("pk"),
                kind__in=CONVERSATIONS,
                direction=Direction.OUTBOUND,
                done_at__isnull=False,
            )
            .values("lead")
            .annotate(first=Min("done_at"))
            .values("first")
        )
        Lead.objects.filter(pk__in=lead_ids).update(
            **_date_subqueries("lead"),
            first_outbound_at=Coalesce(F("first_outbound_at"), Subquery(first_outbound)),
        )


def _date_subqueries(link: str) -> dict[str, Subquery]:
    live = Activity.objects.alive().filter(**{link: OuterRef("pk")}).values(link)
    happened = Case(When(kind=Kind.NOTE, then=F("created_at")), default=F("done_at"))
    open_due = Q(done_at__isnull=True) & ~Q(kind=Kind.NOTE)
    return {
        "last_activity_at": Subquery(live.annotate(last=Max(happened)).values("last")),
        "next_activity_at": Subquery(
            live.annotate(next=Min("due_at", filter=open_due)).values("next")
        ),
    }


def _fit_kind(activity: Activity, changes: dict[str, Any]) -> None:
    if changes["kind"] in CONVERSATIONS:
        if not changes.get("direction", activity.direction):
            changes["direction"] = Direction.OUTBOUND
        return
    changes.setdefault("direction", Direction.NONE)
    changes.setdefault("is_reply", False)
    changes.setdefault("is_positive", None)


def _create_next(actor: User, done: Activity, data: dict[str, Any]) -> Activity:
    data = dict(data)
    if not any(data.get(name) is not None for name in LINKS):
        data.update({name: getattr(done, name) for name in LINKS})
    if data.get("owner_id") is None:
        data["owner_id"] = done.owner_id
    if data.get("due_at") is None:
        raise ValidationFailed.field("next.due_at", "Give the next activity a due time.")
    try:
        return activity_create(actor=actor, data=data)
    except ValidationFailed as exc:
        fields = {f"next.{name}": messages for name, messages in exc.fields.items()}
        raise ValidationFailed(exc.message, fields=fields) from exc


def _values(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Model field values from client input: ids resolved, visibility and ownership checked."""
    if "direction" in data and data["direction"] is None:
        data = {**data, "direction": Direction.NONE}  # "no direction" may be sent either way
    nulls = [name for name in NOT_NULL if name in data and data[name] is None]
    if nulls:
        raise ValidationFailed(
            "Some fields are invalid.", fields={n: ["This field cannot be null."] for n in nulls}
        )
    values = {k: v for k, v in data.items() if k in PLAIN_FIELDS}
    for name in ("due_at", "done_at"):
        if name in values:
            values[name] = _aware(values[name])
    if values.get("done_at") is not None:
        _check_done_at(values["done_at"], field="done_at")
    for name, (field, model) in LINKS.items():
        if name in data:
            values[field] = access.visible_reference(model, user=actor, pk=data[name], field=name)
    if "owner_id" in data:
        values["owner"] = access.assignable_owner(actor=actor, owner_id=data["owner_id"])
    return values


def _check_shape(activity: Activity) -> None:
    """Rules across fields, checked on the state the activity would be in after the write."""
    errors: dict[str, list[str]] = {}
    if activity.deal_id is not None and activity.lead_id is not None:
        errors["lead_id"] = ["An activity belongs to a deal or to a lead, not both."]
    linked = any(getattr(activity, f"{name}_id") is not None for name, _ in LINKS.values())
    if not linked and activity.kind != Kind.TASK:
        errors["__all__"] = [
            "Link it to a deal, lead, person or organization: only a task may stand alone."
        ]
    if activity.kind == Kind.NOTE:
        if activity.due_at is not None:
            errors["due_at"] = ["A note records what happened: it cannot have a due time."]
        if activity.done_at is not None:
            errors["done_at"] = ["A note cannot be done."]
    if activity.kind not in CONVERSATIONS:
        if activity.direction:
            errors["direction"] = ["Only emails and calls have a direction."]
        if activity.is_reply:
            errors["is_reply"] = ["Only emails and calls can be replies."]
    if activity.is_positive is not None and not activity.is_reply:
        errors["is_positive"] = ["Only a reply can be judged positive or not."]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)


def _merged(activity: Activity, changes: dict[str, Any]) -> Activity:
    """An unsaved copy of `activity` with `changes` applied, for the cross-field checks."""
    fields = Activity._meta.concrete_fields
    copy = Activity(**{f.attname: getattr(activity, f.attname) for f in fields})
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def _links_of(activity: Activity) -> list[tuple[int | None, int | None]]:
    return [(activity.deal_id, activity.lead_id)]


def _check_done_at(value: datetime.datetime, *, field: str) -> None:
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed.field(field, "An activity cannot be done in the future.")


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """Times without a zone are read in the site's time zone, as a person entering them means."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value
