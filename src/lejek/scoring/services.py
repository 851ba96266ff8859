"""Writes of the scoring configuration (rules, thresholds) and the way events come in.

Rule changes are audited and queue a rescoring of the rule's points after the commit.
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import campaigns, queue
from lejek.automation.models import Campaign
from lejek.core import audit, records
from lejek.core.errors import Conflict, ValidationFailed
from lejek.leads.models import Lead
from lejek.scoring import calc, defaults, ingest, tasks
from lejek.scoring.models import EventType, ScoringRule, Threshold

RULE_FIELDS = (
    "name",
    "kind",
    "event_type",
    "conditions",
    "match",
    "points",
    "cap_count",
    "cap_period_days",
    "decay",
    "decay_days",
    "is_active",
)
THRESHOLD_FIELDS = (
    "name",
    "kind",
    "score",
    "assign_to",
    "task_subject",
    "task_due_days",
    "campaign",
    "is_active",
)
MAX_CONDITIONS = 10
MAX_POINTS = 1000
MAX_DAYS = 3650


# --- rules --------------------------------------------------------------------------------


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)


def _whole(value: Any, name: str, errors: dict[str, list[str]], low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(name, []).append("Give a whole number.")
    elif not low <= value <= high:
        errors.setdefault(name, []).append(f"Give a number from {low} to {high}.")


def clean_conditions(kind: str, conditions: Any, errors: dict[str, list[str]]) -> list[dict]:
    """Conditions as stored: each {"field", "op", "value"}, checked against what rules of
    `kind` can test; errors are keyed conditions.<n>.<part>."""
    if conditions is None:
        return []
    if not isinstance(conditions, list):
        errors.setdefault("conditions", []).append("Give a list of conditions.")
        return []
    if len(conditions) > MAX_CONDITIONS:
        errors.setdefault("conditions", []).append(f"At most {MAX_CONDITIONS} conditions.")
        return []
    cleaned = []
    for n, item in enumerate(conditions):
        where = f"conditions.{n}"
        if not isinstance(item, dict):
            errors.setdefault(where, []).append("Give an object with field, op and value.")
            continue
        name, op, value = item.get("field"), item.get("op"), item.get("value")
        field_kind = calc.field_kind(name, kind) if isinstance(name, str) else None
        if field_kind is None:
            errors.setdefault(f"{where}.field", []).append(f"Rules cannot test the field '{name}'.")
            continue
        if op not in calc.OPS[field_kind]:
            allowed = ", ".join(calc.OPS[field_kind])
            errors.setdefault(f"{where}.op", []).append(f"Use one of: {allowed}.")
            continue
        if op in calc.NO_VALUE:
            value = None
        elif op in ("in", "not_in"):
            items = value if isinstance(value, list) else str(value or "").split(",")
            value = [str(v).strip() for v in items if str(v).strip()]
            if not value:
                errors.setdefault(f"{where}.value", []).append("Give at least one value.")
        elif value is None or str(value).strip() == "":
            errors.setdefault(f"{where}.value", []).append("Give a value to compare with.")
        elif field_kind == calc.NUMBER and calc._number(value) is None:
            errors.setdefault(f"{where}.value", []).append("Give a number.")
        elif isinstance(value, dict | list) or len(str(value)) > 200:
            errors.setdefault(f"{where}.value", []).append(
                "Give a value of at most 200 characters."
            )
        else:
            value = str(value).strip()
        cleaned.append({"field": name, "op": op, "value": value})
    return cleaned


def _rule_values(rule: ScoringRule, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in RULE_FIELDS}
    merged = {name: values.get(name, getattr(rule, name)) for name in RULE_FIELDS}
    errors: dict[str, list[str]] = {}
    name = (merged["name"] or "").strip()
    if not name:
        errors["name"] = ["Give the rule a name."]
    elif len(name) > 120:
        errors["name"] = ["At most 120 characters."]
    values["name"] = name
    kind = merged["kind"]
    if kind not in ScoringRule.Kind.values:
        errors["kind"] = ["Choose whether the rule scores events or lead attributes."]
        _errors(errors)
    if merged["match"] not in ScoringRule.Match.values:
        errors["match"] = ["Use 'all' or 'any'."]
    _whole(merged["points"], "points", errors, -MAX_POINTS, MAX_POINTS)
    if merged["points"] == 0:
        errors.setdefault("points", []).append("A rule gives or takes at least one point.")
    values["conditions"] = clean_conditions(kind, merged["conditions"], errors)
    if kind == ScoringRule.Kind.EVENT:
        if merged["event_type"] not in EventType.values:
            errors["event_type"] = ["Choose the type of event the rule scores."]
        _whole(merged["cap_count"], "cap_count", errors, 1, 100_000)
        _whole(merged["cap_period_days"], "cap_period_days", errors, 1, MAX_DAYS)
        if merged["cap_period_days"] is not None and merged["cap_count"] is None:
            errors.setdefault("cap_count", []).append("Say how many times the rule may count.")
        if merged["decay"] not in ScoringRule.Decay.values:
            errors["decay"] = ["Use 'halve', 'expire' or no decay."]
        elif merged["decay"]:
            if merged["decay_days"] is None:
                errors["decay_days"] = ["Say after how many days the points decay."]
            _whole(merged["decay_days"], "decay_days", errors, 1, MAX_DAYS)
        else:
            values["decay_days"] = None
    else:
        values["event_type"] = ""
        if not values["conditions"] and "conditions" not in errors:
            errors["conditions"] = ["An attribute rule needs at least one condition."]
        for name in ("cap_count", "cap_period_days", "decay_days"):
            if merged[name] is not None:
                errors.setdefault(name, []).append("Only event rules have caps and decay.")
        if merged["decay"]:
            errors.setdefault("decay", []).append("Only event rules have caps and decay.")
    if "is_active" in values and not isinstance(values["is_active"], bool):
        errors["is_active"] = ["Give true or false."]
    _errors(errors)
    return values


def _rescore_later(rule_ids: list[int]) -> None:
    queue.enqueue_on_commit(tasks.rescore_leads, rule_ids)


@transaction.atomic
def rule_create(*, actor: User, data: dict[str, Any]) -> ScoringRule:
    """Create a rule; every lead's points from it are worked out in the background."""
    access.require_admin(actor, "change scoring rules")
    rule = ScoringRule(points=0)
    for name, value in _rule_values(rule, data).items():
        setattr(rule, name, value)
    rule.created_by = actor
    rule.save()
    audit.log_created(actor=actor, instance=rule)
    _rescore_later([rule.pk])
    return rule


@transaction.atomic
def rule_update(
    *, actor: User, rule: ScoringRule, data: dict[str, Any], version: int
) -> ScoringRule:
    """Change a rule read at `version` (else 409); the leads are scored again in the
    background, with the difference of each lead's points as a ledger row."""
    access.require_admin(actor, "change scoring rules")
    values = _rule_values(rule, data)
    if records.update_settings(
        actor=actor, instance=rule, changes=values, expected_version=version
    ):
        _rescore_later([rule.pk])
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: ScoringRule) -> ScoringRule:
    """Remove a rule: the points it gave are taken back in the background; the ledger keeps
    the rows that name it."""
    access.require_admin(actor, "delete scoring rules")
    if rule.deleted_at is not None:
        raise Conflict("This rule is already deleted.")
    rule.deleted_at = timezone.now()
    ScoringRule.objects.filter(pk=rule.pk).update(
        deleted_at=rule.deleted_at, version=F("version") + 1
    )
    audit.log_event(actor=actor, instance=rule, action="deleted")
    _rescore_later([rule.pk])
    return rule


def rules_ensure_defaults(*, actor: User | None = None) -> list[ScoringRule]:
    """Add the seed-002 example rules that are missing (matched by their key)."""
    created = []
    with transaction.atomic():
        present = set(ScoringRule.objects.alive().values_list("key", flat=True))
        for spec in defaults.DEFAULT_RULES:
            if spec["key"] in present:
                continue
            rule = ScoringRule.objects.create(**spec, created_by=actor)
            audit.log_created(actor=actor, instance=rule, note="Example rule (seed 002)")
            created.append(rule)
        if created:
            _rescore_later([r.pk for r in created])
    return created


def rescore_all(*, actor: User) -> None:
    """Queue scoring every lead again under every rule."""
    access.require_admin(actor, "rescore the leads")
    queue.enqueue(tasks.rescore_leads)


# --- thresholds ---------------------------------------------------------------------------


def _threshold_values(threshold: Threshold, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in THRESHOLD_FIELDS}
    errors: dict[str, list[str]] = {}
    if "name" in values or threshold.pk is None:
        name = (values.get("name") or "").strip()
        if not name:
            errors["name"] = ["Give the threshold a name."]
        elif len(name) > 120:
            errors["name"] = ["At most 120 characters."]
        values["name"] = name
    kind_given = "kind" in values or threshold.pk is None
    if kind_given and values.get("kind") not in Threshold.Kind.values:
        errors["kind"] = ["Choose MQL, SQL, the disqualification floor or another level."]
    if "score" in values or threshold.pk is None:
        if values.get("score") is None:
            errors["score"] = ["Give the score at which the threshold is crossed."]
        _whole(values.get("score"), "score", errors, -100_000, 100_000)
    if "task_due_days" in values:
        _whole(values["task_due_days"], "task_due_days", errors, 0, 365)
        if values["task_due_days"] is None:
            values["task_due_days"] = 1
    if "task_subject" in values:
        values["task_subject"] = (values["task_subject"] or "").strip()
        if len(values["task_subject"]) > 200:
            errors["task_subject"] = ["At most 200 characters."]
    if data.get("assign_to_id") is not None:
        rep = User.objects.filter(pk=data["assign_to_id"], is_active=True).first()
        if rep is None:
            errors["assign_to_id"] = ["No active user with that id."]
        values["assign_to"] = rep
    elif "assign_to_id" in data:
        values["assign_to"] = None
    if data.get("campaign_name"):
        name = str(data["campaign_name"]).strip()[:120]
        values["campaign"] = campaigns.campaign_ensure(name=name) if name else None
    elif data.get("campaign_id") is not None:
        found = Campaign.objects.filter(pk=data["campaign_id"], kind=Campaign.Kind.CAMPAIGN)
        values["campaign"] = found.first()
        if values["campaign"] is None:
            errors["campaign_id"] = ["No campaign with that id."]
    elif "campaign_id" in data:
        values["campaign"] = None
    if "is_active" in values and not isinstance(values["is_active"], bool):
        errors["is_active"] = ["Give true or false."]
    _errors(errors)
    return values


@transaction.atomic
def threshold_create(*, actor: User, data: dict[str, Any]) -> Threshold:
    """A new threshold; it acts on crossings from now on (leads already past it are left)."""
    access.require_admin(actor, "change score thresholds")
    threshold = Threshold(created_by=actor)
    for name, value in _threshold_values(threshold, data).items():
        setattr(threshold, name, value)
    threshold.save()
    audit.log_created(actor=actor, instance=threshold)
    return threshold


@transaction.atomic
def threshold_update(
    *, actor: User, threshold: Threshold, data: dict[str, Any], version: int
) -> Threshold:
    access.require_admin(actor, "change score thresholds")
    values = _threshold_values(threshold, data)
    records.update_settings(
        actor=actor, instance=threshold, changes=values, expected_version=version
    )
    return threshold


@transaction.atomic
def threshold_delete(*, actor: User, threshold: Threshold) -> Threshold:
    access.require_admin(actor, "delete score thresholds")
    if threshold.deleted_at is not None:
        raise Conflict("This threshold is already deleted.")
    threshold.deleted_at = timezone.now()
    Threshold.objects.filter(pk=threshold.pk).update(
        deleted_at=threshold.deleted_at, version=F("version") + 1
    )
    audit.log_event(actor=actor, instance=threshold, action="deleted")
    return threshold


def thresholds_ensure_defaults(*, actor: User | None = None) -> list[Threshold]:
    """Add the example thresholds (MQL at 20, disqualification below -10) when none exist."""
    if Threshold.objects.filter(deleted_at__isnull=True).exists():
        return []
    return [
        Threshold.objects.create(**spec, created_by=actor) for spec in defaults.DEFAULT_THRESHOLDS
    ]


# --- events -------------------------------------------------------------------------------


def _leads_by_email(emails: set[str], actor: User | None) -> dict[str, int]:
    qs = Lead.objects.visible_to(actor) if actor is not None else Lead.objects.alive()
    found: dict[str, int] = {}
    # The newest lead with the address wins (duplicates are merged elsewhere).
    for email, pk in (
        qs.filter(email__in=emails).order_by("created_at", "pk").values_list("email", "pk")
    ):
        found[email] = pk
    return found


def events_record(
    *, actor: User | None, events: list[dict[str, Any]], source: str = ""
) -> ingest.IngestResult:
    """Store and score events sent by a client (`actor`, who must see each lead) or by the
    signed webhook (no actor: any live lead). Each event names its lead by `lead_id` or by
    `email`; one unknown lead refuses the whole batch (422 naming it), so nothing is half
    stored."""
    errors: dict[str, list[str]] = {}
    ids = {e["lead_id"] for e in events if e.get("lead_id") is not None}
    qs = Lead.objects.visible_to(actor) if actor is not None else Lead.objects.alive()
    known: set[int] = set()
    for part in ingest.ledger.chunks(sorted(ids)):
        known.update(qs.filter(pk__in=part).values_list("pk", flat=True))
    emails = {
        e["email"].strip().lower() for e in events if e.get("lead_id") is None and e.get("email")
    }
    by_email = _leads_by_email(emails, actor) if emails else {}
    resolved = []
    for n, event in enumerate(events):
        lead_id = event.get("lead_id")
        if lead_id is None:
            email = (event.get("email") or "").strip().lower()
            lead_id = by_email.get(email)
            if not email:
                errors[f"events.{n}.lead_id"] = ["Name the lead by lead_id or email."]
                continue
            if lead_id is None:
                errors[f"events.{n}.email"] = [f"No lead with the address {email}."]
                continue
        elif lead_id not in known:
            errors[f"events.{n}.lead_id"] = [f"No lead with id {lead_id} that you can see."]
            continue
        resolved.append({**event, "lead_id": lead_id})
    _errors(errors)
    return ingest.events_ingest(events=resolved, source=source)
