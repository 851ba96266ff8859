"""Writing one imported row through the apps' own services.

Each writer takes the typed values of a row and creates, updates or skips a
record, returning what it did. Records are matched first by external id (an
external-id match is always the same record, so a re-run never duplicates),
then, unless duplicates are to be created, by a natural key (an organization's
name, a person's or lead's email, a deal's title and organization).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.dataio.models import Duplicates, ExternalId, ImportKind
from lejek.dataio.rows import RowError, split_name
from lejek.leads import services as lead_services
from lejek.leads.models import Lead, Source

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass
class Outcome:
    action: str
    record_id: int | None = None
    reason: str = ""


@dataclass
class Context:
    """What every row of one import shares: who imports, from where, and lookup caches."""

    actor: User
    source: str
    duplicates: str
    options: dict[str, Any] = field(default_factory=dict)
    touched_deals: set[int] = field(default_factory=set)
    history_deals: set[int] = field(default_factory=set)
    _users: dict[str, int] = field(default_factory=dict)

    # --- external ids -------------------------------------------------------------------

    def linked(self, kind: str, external_id: str) -> ExternalId | None:
        return ExternalId.objects.filter(
            kind=kind, source=self.source, external_id=external_id
        ).first()

    def record_for(self, kind: str, model: Any, external_id: str) -> tuple[ExternalId | None, Any]:
        link = self.linked(kind, external_id)
        if link is None:
            return None, None
        return link, model.objects.visible_to(self.actor).filter(pk=link.record_id).first()

    def link(self, kind: str, external_id: str, record_id: int, link: ExternalId | None) -> None:
        if link is None:
            ExternalId.objects.create(
                kind=kind, source=self.source, external_id=external_id, record_id=record_id
            )
        elif link.record_id != record_id:  # the old record was deleted: point at the new one
            ExternalId.objects.filter(pk=link.pk).update(record_id=record_id)

    # --- references -----------------------------------------------------------------------

    def owner_id(self, value: str | None) -> int | None:
        if not value:
            return None
        key = value.strip().lower()
        if key not in self._users:
            user = (
                User.objects.filter(is_active=True)
                .filter(Q(email__iexact=key) | Q(username__iexact=key))
                .order_by("pk")
                .first()
            )
            if user is None:
                raise RowError("owner", f"No active user with the email or username '{value}'.")
            self._users[key] = user.pk
        return self._users[key]

    def organization(self, name: str | None, *, create: bool = True) -> Organization | None:
        if not name:
            return None
        found = (
            Organization.objects.visible_to(self.actor)
            .filter(name__iexact=name.strip())
            .order_by("pk")
            .first()
        )
        if found is None and create:
            found = contact_services.organization_create(actor=self.actor, data={"name": name})
        if found is None:
            raise RowError("organization", f"No organization named '{name}'.")
        return found


def _set_created_at(model: Any, record: Any, values: dict[str, Any]) -> None:
    """Keep the creation time the record had in the system it came from."""
    moment = values.get("created_at")
    if moment is not None:
        model.objects.filter(pk=record.pk).update(created_at=moment)
        record.created_at = moment


def _put(
    ctx: Context,
    *,
    kind: str,
    model: Any,
    values: dict[str, Any],
    data: dict[str, Any],
    natural: Any,
    create: Any,
    update: Any,
) -> Outcome:
    """Find the record (external id, then natural key), then skip, update or create it."""
    external = values.get("external_id")
    link, existing = ctx.record_for(kind, model, external) if external else (None, None)
    via_external = existing is not None
    if existing is None and ctx.duplicates != Duplicates.CREATE:
        existing = natural()
    if existing is not None:
        if external:
            ctx.link(kind, external, existing.pk, link)
        if ctx.duplicates == Duplicates.SKIP:
            why = "already imported as" if via_external else "duplicate of"
            return Outcome(SKIPPED, existing.pk, f"Skipped: {why} {kind} #{existing.pk}.")
        version = existing.version
        record = update(existing, data)
        return Outcome(UPDATED if record.version != version else UNCHANGED, record.pk)
    record = create(data)
    _set_created_at(model, record, values)
    if external:
        ctx.link(kind, external, record.pk, link)
    return Outcome(CREATED, record.pk)


def _owned(ctx: Context, values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    owner = ctx.owner_id(values.get("owner"))
    if owner is not None:
        data["owner_id"] = owner
    return data


# --- organizations, people, leads, activities ---------------------------------------------

ORG_FIELDS = ("name", "domain", "industry", "employees", "country", "city", "address", "phone")


def organization(ctx: Context, values: dict[str, Any]) -> Outcome:
    data = _owned(ctx, values, {k: values[k] for k in ORG_FIELDS if k in values})
    if "website" in values:
        data["website"] = values["website"]
    visible = Organization.objects.visible_to(ctx.actor)
    return _put(
        ctx,
        kind=ImportKind.ORGANIZATION,
        model=Organization,
        values=values,
        data=data,
        natural=lambda: visible.filter(name__iexact=values["name"]).order_by("pk").first(),
        create=lambda d: contact_services.organization_create(actor=ctx.actor, data=d),
        update=lambda r, d: contact_services.organization_update(
            actor=ctx.actor, organization=r, data=d, version=r.version
        ),
    )


def _names(values: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {k: values[k] for k in ("first_name", "last_name") if k in values}
    if "full_name" in values and not names:
        first, last = split_name(values["full_name"])
        names = {"first_name": first, "last_name": last}
    return names


def person(ctx: Context, values: dict[str, Any]) -> Outcome:
    data = _owned(ctx, values, _names(values))
    for name in ("email", "phone", "job_title"):
        if name in values:
            data[name] = values[name]
    org = ctx.organization(values.get("organization"))
    if org is not None:
        data["organization_id"] = org.pk
    if not data.get("last_name"):
        raise RowError("last_name", "A person needs a last name.")
    visible = Person.objects.visible_to(ctx.actor)

    def natural() -> Person | None:
        if data.get("email"):
            return visible.filter(email__iexact=data["email"]).order_by("pk").first()
        return (
            visible.filter(
                first_name__iexact=data.get("first_name", ""),
                last_name__iexact=data["last_name"],
                organization_id=data.get("organization_id"),
            )
            .order_by("pk")
            .first()
        )

    return _put(
        ctx,
        kind=ImportKind.PERSON,
        model=Person,
        values=values,
        data=data,
        natural=natural,
        create=lambda d: contact_services.person_create(actor=ctx.actor, data=d),
        update=lambda r, d: contact_services.person_update(
            actor=ctx.actor, person=r, data=d, version=r.version
        ),
    )


LEAD_FIELDS = (
    "title",
    "email",
    "phone",
    "job_title",
    "company_name",
    "company_domain",
    "industry",
    "country",
    "campaign",
)


def choice(options: Any, value: str, field_name: str, extra: dict[str, str] | None = None) -> str:
    """A choice by its value or its label, in any case; else a RowError listing the choices."""
    key = value.strip().lower().replace("-", "_")
    for option_value, label in options.choices:
        if key in (str(option_value).lower(), str(label).lower()):
            return str(option_value)
    if extra and key in extra:
        return extra[key]
    known = ", ".join(str(v) for v, _ in options.choices if v)
    raise RowError(field_name, f"Unknown {field_name} '{value}'; use one of: {known}.")


def lead(ctx: Context, values: dict[str, Any]) -> Outcome:
    data = _owned(ctx, values, _names(values))
    data.update({k: values[k] for k in LEAD_FIELDS if k in values})
    if "source" in values:
        data["source"] = choice(Source, values["source"], "source", {"web": "web_form"})
    if "status" in values:
        data["status"] = choice(Lead.Status, values["status"], "status")
    visible = Lead.objects.visible_to(ctx.actor)

    def natural() -> Lead | None:
        if not data.get("email"):
            return None
        return visible.filter(email__iexact=data["email"]).order_by("pk").first()

    def create(d: dict[str, Any]) -> Lead:
        return lead_services.lead_create(actor=ctx.actor, data={"source": Source.IMPORT, **d})

    return _put(
        ctx,
        kind=ImportKind.LEAD,
        model=Lead,
        values=values,
        data=data,
        natural=natural,
        create=create,
        update=lambda r, d: lead_services.lead_update(
            actor=ctx.actor, lead=r, data=d, version=r.version
        ),
    )


ACTIVITY_KINDS = {
    "phone call": "call",
    "phone": "call",
    "e_mail": "email",
    "mail": "email",
    "lunch": "meeting",
    "demo": "meeting",
    "todo": "task",
    "to_do": "task",
    "zadanie": "task",
    "spotkanie": "meeting",
    "telefon": "call",
    "notatka": "note",
    "звонок": "call",
    "встреча": "meeting",
    "задача": "task",
    "заметка": "note",
    "письмо": "email",
}
DIRECTIONS = {"out": "outbound", "outgoing": "outbound", "in": "inbound", "incoming": "inbound"}


def activity(ctx: Context, values: dict[str, Any]) -> Outcome:
    if "kind" not in values:
        raise RowError("kind", "Type is required (call, email, meeting, task, deadline or note).")
    data: dict[str, Any] = {"kind": choice(Activity.Kind, values["kind"], "kind", ACTIVITY_KINDS)}
    _owned(ctx, values, data)
    for name in ("subject", "body", "due_at", "duration_minutes", "outcome"):
        if name in values:
            data[name] = values[name]
    if "direction" in values:
        data["direction"] = choice(Activity.Direction, values["direction"], "direction", DIRECTIONS)
    if "deal" in values:
        data["deal_id"] = _linked_id(ctx, ImportKind.DEAL, values["deal"], "deal")
    if "lead" in values:
        data["lead_id"] = _linked_id(ctx, ImportKind.LEAD, values["lead"], "lead")
    if "person" in values:
        found = Person.objects.visible_to(ctx.actor).filter(email__iexact=values["person"]).first()
        if found is None:
            raise RowError("person", f"No person with the email '{values['person']}'.")
        data["person_id"] = found.pk
    org = ctx.organization(values.get("organization"), create=False)
    if org is not None:
        data["organization_id"] = org.pk
    done_at = values.get("done_at")
    if done_at is None and values.get("done"):
        done_at = values.get("due_at") or values.get("created_at") or timezone.now()
    external = values.get("external_id")
    link, existing = (
        ctx.record_for(ImportKind.ACTIVITY, Activity, external) if external else (None, None)
    )
    if existing is not None:
        if external:
            ctx.link(ImportKind.ACTIVITY, external, existing.pk, link)
        if ctx.duplicates == Duplicates.SKIP:
            return Outcome(
                SKIPPED, existing.pk, f"Skipped: already imported as activity #{existing.pk}."
            )
        version = existing.version
        activity_services.activity_update(
            actor=ctx.actor, activity=existing, data=data, version=existing.version
        )
        return Outcome(UPDATED if existing.version != version else UNCHANGED, existing.pk)
    if done_at is not None:
        data["done_at"] = done_at
    record = activity_services.activity_create(actor=ctx.actor, data=data)
    _set_created_at(Activity, record, values)
    if external:
        ctx.link(ImportKind.ACTIVITY, external, record.pk, link)
    return Outcome(CREATED, record.pk)


def _linked_id(ctx: Context, kind: str, external_id: str, field_name: str) -> int:
    link = ctx.linked(kind, external_id)
    if link is None:
        raise RowError(
            field_name, f"No {kind} imported from '{ctx.source}' with the id '{external_id}'."
        )
    return link.record_id


def default_currency() -> str:
    return str(getattr(settings, "REPORTING_CURRENCY", "USD"))


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(12)), timezone.get_default_timezone()
    )
