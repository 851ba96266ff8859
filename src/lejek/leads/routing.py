"""Who gets a new lead: routing rules in order, round robin within a team.

The first active rule whose conditions all hold (source, country, company size) names a
rep or a team; a team hands its leads to its active reps in turn (members of other roles
only when it has no active rep). The turn is kept in a row locked while it moves, so two
leads arriving together never go to the same rep by accident.
"""

from typing import Any

from django.db import transaction

from lejek.accounts import access
from lejek.accounts.models import Team, User
from lejek.core import audit, records
from lejek.core.errors import Conflict, Forbidden, ValidationFailed
from lejek.leads.models import Lead, RoundRobinCursor, RoutingRule, Source

RULE_FIELDS = (
    "name",
    "position",
    "source",
    "countries",
    "min_company_size",
    "max_company_size",
    "team_id",
    "user_id",
    "is_active",
)


def matches(rule: RoutingRule, values: dict[str, Any]) -> bool:
    if rule.source and values.get("source") != rule.source:
        return False
    if rule.countries and (values.get("country") or "").upper() not in rule.countries:
        return False
    size = values.get("company_size")
    if rule.min_company_size is not None and (size is None or size < rule.min_company_size):
        return False
    return not (
        rule.max_company_size is not None and (size is None or size > rule.max_company_size)
    )


def next_in_team(team_id: int) -> User | None:
    """The team's next active rep in turn (call inside a transaction)."""
    members = list(User.objects.filter(team_id=team_id, is_active=True).order_by("pk"))
    reps = [u for u in members if u.role == User.Role.REP] or members
    if not reps:
        return None
    cursor, _ = RoundRobinCursor.objects.select_for_update().get_or_create(team_id=team_id)
    chosen = next(
        (u for u in reps if cursor.last_user_id is None or u.pk > cursor.last_user_id), reps[0]
    )
    cursor.last_user_id = chosen.pk
    cursor.assigned += 1
    cursor.save(update_fields=["last_user_id", "assigned"])
    return chosen


def pick_owner(values: dict[str, Any]) -> tuple[User | None, RoutingRule | None]:
    """The owner the rules give a lead with these values (None when no rule applies)."""
    with transaction.atomic():
        for rule in RoutingRule.objects.filter(is_active=True).select_related("user"):
            if not matches(rule, values):
                continue
            if rule.user_id is not None:
                if rule.user is not None and rule.user.is_active:
                    return rule.user, rule
                continue
            if rule.team_id is not None:
                owner = next_in_team(rule.team_id)
                if owner is not None:
                    return owner, rule
    return None, None


def assign(
    *, actor: User | None, lead: Lead, owner: User, rule: RoutingRule, via: str = ""
) -> Lead:
    """Give a just-created lead to the rule's pick (no rights check: the system routes)."""
    note = f"Routed by the rule “{rule.name}”" + (f" {via}" if via else "")
    if lead.owner_id == owner.pk:
        Lead.objects.filter(pk=lead.pk).update(routed_by=rule)
        lead.routed_by = rule
        return lead
    return records.update(
        actor=actor,
        instance=lead,
        changes={"owner": owner, "routed_by": rule},
        expected_version=lead.version,
        note=note,
    )


@transaction.atomic
def lead_create_routed(*, actor: User, data: dict[str, Any]) -> Lead:
    """Create a lead as `actor`, then give it to whoever the routing rules pick (kept with
    `actor` when no rule applies)."""
    from lejek.leads import services

    lead = services.lead_create(actor=actor, data=data)
    owner, rule = pick_owner(_values_of(lead))
    if owner is not None and rule is not None:
        lead = assign(actor=actor, lead=lead, owner=owner, rule=rule)
    return lead


@transaction.atomic
def lead_route(*, actor: User, lead: Lead, version: int) -> Lead:
    """Give the lead to whoever the rules pick now; the reassignment is in its history."""
    if not (actor.is_admin or actor.is_manager):
        raise Forbidden("Only managers and administrators route leads.")
    owner, rule = pick_owner(_values_of(lead))
    if owner is None or rule is None:
        raise Conflict("No routing rule applies to this lead.")
    note = f"Routed by the rule “{rule.name}”"
    return records.update(
        actor=actor,
        instance=lead,
        changes={"owner": owner, "routed_by": rule},
        expected_version=version,
        note=note,
    )


def _values_of(lead: Lead) -> dict[str, Any]:
    return {"source": lead.source, "country": lead.country, "company_size": lead.company_size}


# --- the rules ----------------------------------------------------------------------------


def _whole(data: dict[str, Any], name: str, errors: dict[str, list[str]]) -> None:
    value = data.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        errors[name] = ["Give a whole number from 0 to 10,000,000."]


def _rule_values(rule: RoutingRule, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in RULE_FIELDS}
    merged = {k: values.get(k, getattr(rule, k)) for k in RULE_FIELDS}
    errors: dict[str, list[str]] = {}
    name = (merged["name"] or "").strip()
    if not name or len(name) > 120:
        errors["name"] = ["Give the rule a name of at most 120 characters."]
    values["name"] = name
    if (merged["source"] or "") not in ("", *Source.values):
        errors["source"] = ["Choose one of the lead sources, or none for any."]
    values["source"] = merged["source"] or ""
    countries = merged["countries"] or []
    if isinstance(countries, str):
        countries = [c for c in countries.replace(";", ",").split(",") if c.strip()]
    cleaned = [str(c).strip().upper() for c in countries] if isinstance(countries, list) else None
    if cleaned is None or any(len(c) != 2 or not c.isalpha() for c in cleaned) or len(cleaned) > 50:
        errors["countries"] = ["Give two-letter country codes, e.g. PL, CZ."]
    values["countries"] = cleaned or []
    for field in ("position", "min_company_size", "max_company_size"):
        _whole(merged, field, errors)
    low, high = merged["min_company_size"], merged["max_company_size"]
    if not errors and low is not None and high is not None and low > high:
        errors["max_company_size"] = ["The largest size is below the smallest."]
    if (merged["team_id"] is None) == (merged["user_id"] is None):
        errors["team_id"] = ["Route to a team (in turn) or to one rep: exactly one of them."]
    elif merged["team_id"] is not None and not Team.objects.filter(pk=merged["team_id"]).exists():
        errors["team_id"] = [f"No team with id {merged['team_id']}."]
    elif (
        merged["user_id"] is not None
        and not User.objects.filter(pk=merged["user_id"], is_active=True).exists()
    ):
        errors["user_id"] = [f"No active user with id {merged['user_id']}."]
    if not isinstance(merged["is_active"], bool):
        errors["is_active"] = ["Give true or false."]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    return values


@transaction.atomic
def rule_create(*, actor: User, data: dict[str, Any]) -> RoutingRule:
    access.require_admin(actor, "change lead routing")
    rule = RoutingRule()
    data = {"team_id": None, "user_id": None, **data}
    for name, value in _rule_values(rule, data).items():
        setattr(rule, name, value)
    rule.save()
    audit.log_created(actor=actor, instance=rule)
    return rule


@transaction.atomic
def rule_update(
    *, actor: User, rule: RoutingRule, data: dict[str, Any], version: int
) -> RoutingRule:
    access.require_admin(actor, "change lead routing")
    values = _rule_values(rule, data)
    records.update_settings(actor=actor, instance=rule, changes=values, expected_version=version)
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: RoutingRule) -> None:
    access.require_admin(actor, "change lead routing")
    audit.log_event(actor=actor, instance=rule, action="deleted")
    rule.delete()
