"""Scoring arithmetic as plain functions over plain data: no database, no Django.

Rules are `RuleSpec`, events are `EventData`, a lead is a mapping of field values plus a
set of tag names. Conditions are dicts {"field", "op", "value"}.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

EVENT = "event"
ATTRIBUTE = "attribute"
HALVE = "halve"
EXPIRE = "expire"
DAY_SECONDS = 86_400

# Providers of free personal mailboxes: an address there says nothing about the company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "ya.ru",
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "rambler.ru",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "op.pl",
        "interia.pl",
        "poczta.fm",
        "tlen.pl",
        "gazeta.pl",
        "seznam.cz",
    }
)

TEXT, NUMBER, FLAG, TAGS = "text", "number", "flag", "tags"
TEXT_OPS = (
    "eq",
    "ne",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "in",
    "not_in",
    "blank",
    "not_blank",
)
NUMBER_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "blank", "not_blank")
FLAG_OPS = ("is_true", "is_false")
TAG_OPS = ("has", "has_not")
OPS = {TEXT: TEXT_OPS, NUMBER: NUMBER_OPS, FLAG: FLAG_OPS, TAGS: TAG_OPS}
NO_VALUE = {"blank", "not_blank", "is_true", "is_false"}

# Lead fields (and values derived from them) attribute rules can test, with their kind.
LEAD_FIELDS: dict[str, str] = {
    "industry": TEXT,
    "company_size": NUMBER,
    "budget": NUMBER,
    "budget_currency": TEXT,
    "budget_confirmed": FLAG,
    "authority": TEXT,
    "need": TEXT,
    "timeline": TEXT,
    "pain_points": TEXT,
    "job_title": TEXT,
    "company_name": TEXT,
    "company_domain": TEXT,
    "email": TEXT,
    "country": TEXT,
    "source": TEXT,
    "campaign": TEXT,
    "status": TEXT,
    "title": TEXT,
    "first_name": TEXT,
    "last_name": TEXT,
    "phone": TEXT,
    # derived
    "email_domain": TEXT,
    "free_mail": FLAG,
    "email_domain_mismatch": FLAG,
    "tags": TAGS,
}
DERIVED = ("email_domain", "free_mail", "email_domain_mismatch", "tags")
STORED_LEAD_FIELDS = tuple(name for name in LEAD_FIELDS if name not in DERIVED)
# Event fields event rules can test; "data.<key>" reads a key of the event's data.
EVENT_FIELDS: dict[str, str] = {"url": TEXT, "source": TEXT}
DATA_PREFIX = "data."


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: str
    points: int
    event_type: str = ""
    conditions: tuple[Mapping[str, Any], ...] = ()
    match: str = "all"
    cap_count: int | None = None
    cap_period_days: int | None = None
    decay: str = ""
    decay_days: int | None = None
    active: bool = True


@dataclass(frozen=True)
class EventData:
    id: int
    lead_id: int
    type: str
    occurred_at: datetime.datetime
    url: str = ""
    source: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


def field_kind(name: str, rule_kind: str) -> str | None:
    """The kind of value a condition field holds, None when rules of that kind cannot test it."""
    if rule_kind == ATTRIBUTE:
        return LEAD_FIELDS.get(name)
    if name.startswith(DATA_PREFIX) and len(name) > len(DATA_PREFIX):
        return TEXT
    return EVENT_FIELDS.get(name)


# --- conditions ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _choices(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [t for t in (_text(v) for v in items) if t]


def condition_holds(kind: str, op: str, actual: Any, expected: Any) -> bool:
    """Whether `actual` (a lead's or event's value) passes `op` against `expected`."""
    if kind == FLAG:
        return bool(actual) is (op == "is_true")
    if kind == TAGS:
        has = _text(expected) in {_text(t) for t in (actual or ())}
        return has if op == "has" else not has
    if op in ("blank", "not_blank"):
        empty = actual is None or _text(actual) == ""
        return empty if op == "blank" else not empty
    if kind == NUMBER:
        left, right = _number(actual), _number(expected)
        if left is None or right is None:
            return op == "ne" and left != right
        return {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
        }.get(op, False)
    text = _text(actual)
    if op in ("in", "not_in"):
        inside = text in _choices(expected)
        return inside if op == "in" else not inside
    wanted = _text(expected)
    return {
        "eq": text == wanted,
        "ne": text != wanted,
        "contains": wanted in text,
        "not_contains": wanted not in text,
        "starts_with": text.startswith(wanted),
        "ends_with": text.endswith(wanted),
    }.get(op, False)


def _all_or_any(results: Iterable[bool], match: str) -> bool:
    return any(results) if match == "any" else all(results)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in (email or "") else ""


def _same_company(domain: str, company: str) -> bool:
    return domain == company or domain.endswith("." + company) or company.endswith("." + domain)


def lead_values(stored: Mapping[str, Any], tags: Iterable[str] = ()) -> dict[str, Any]:
    """A lead's stored fields plus the derived ones attribute rules can test."""
    values = dict(stored)
    domain = email_domain(values.get("email") or "")
    company = (values.get("company_domain") or "").strip().lower().removeprefix("www.")
    free = domain in FREE_MAIL_DOMAINS
    values["email_domain"] = domain
    values["free_mail"] = free
    values["email_domain_mismatch"] = bool(
        domain and company and not free and not _same_company(domain, company)
    )
    values["tags"] = frozenset(tags)
    return values


def attribute_matches(rule: RuleSpec, values: Mapping[str, Any]) -> bool:
    """Whether a lead (values from `lead_values`) meets an attribute rule's conditions."""
    if not rule.conditions:
        return False
    return _all_or_any(
        (
            condition_holds(
                LEAD_FIELDS.get(c["field"], TEXT), c["op"], values.get(c["field"]), c.get("value")
            )
            for c in rule.conditions
        ),
        rule.match,
    )


def _event_value(event: EventData, name: str) -> Any:
    if name.startswith(DATA_PREFIX):
        return (event.data or {}).get(name[len(DATA_PREFIX) :])
    return getattr(event, name, None)


def event_matches(rule: RuleSpec, event: EventData) -> bool:
    """Whether an event counts for an event rule: its type, then its conditions."""
    if rule.event_type != event.type:
        return False
    if not rule.conditions:
        return True
    return _all_or_any(
        (
            condition_holds(TEXT, c["op"], _event_value(event, c["field"]), c.get("value"))
            for c in rule.conditions
        ),
        rule.match,
    )


# --- caps and decay -----------------------------------------------------------------------


def period_of(at: datetime.datetime, days: int | None, tz: datetime.tzinfo) -> int:
    """Which cap period a moment falls in: consecutive runs of `days` local calendar days
    (a 7-day period starts on a Monday); one period for all time when `days` is None."""
    if not days:
        return 0
    return (at.astimezone(tz).date().toordinal() - 1) // days


def counted(rule: RuleSpec, events: Sequence[EventData], tz: datetime.tzinfo) -> list[EventData]:
    """The matching events of one lead that the rule counts, its cap applied: in each period
    the first `cap_count` matching events (by time, then id) count, the rest do not."""
    matching = sorted(
        (e for e in events if event_matches(rule, e)), key=lambda e: (e.occurred_at, e.id)
    )
    if rule.cap_count is None:
        return matching
    seen: dict[int, int] = defaultdict(int)
    kept = []
    for event in matching:
        period = period_of(event.occurred_at, rule.cap_period_days, tz)
        if seen[period] < rule.cap_count:
            kept.append(event)
        seen[period] += 1
    return kept


def decayed(points: int, age: datetime.timedelta, decay: str, days: int | None) -> int:
    """Points left after `age`: halved (towards zero) every `days` days, or all gone after
    `days` days; unchanged without decay or for events dated in the future."""
    if not decay or not days or age.total_seconds() < 0:
        return points
    periods = int(age.total_seconds() // (days * DAY_SECONDS))
    if decay == EXPIRE:
        return 0 if periods >= 1 else points
    if periods >= 63:
        return 0
    return int(points / 2**periods) if points >= 0 else -int(-points / 2**periods)


def decay_horizon(rule: RuleSpec) -> datetime.timedelta | None:
    """How long an event's points keep changing under the rule's decay (None: no decay)."""
    if not rule.decay or not rule.decay_days:
        return None
    if rule.decay == EXPIRE:
        return datetime.timedelta(days=rule.decay_days)
    halvings = math.floor(math.log2(abs(rule.points))) + 1 if rule.points else 0
    return datetime.timedelta(days=rule.decay_days * halvings)


def event_rule_total(
    rule: RuleSpec, events: Sequence[EventData], now: datetime.datetime, tz: datetime.tzinfo
) -> int:
    """What an event rule is worth for one lead now: its counted events, each decayed."""
    if not rule.active:
        return 0
    return sum(
        decayed(rule.points, now - e.occurred_at, rule.decay, rule.decay_days)
        for e in counted(rule, events, tz)
    )


def attribute_rule_total(rule: RuleSpec, values: Mapping[str, Any]) -> int:
    return rule.points if rule.active and attribute_matches(rule, values) else 0


def lead_score(
    rules: Sequence[RuleSpec],
    events: Sequence[EventData],
    values: Mapping[str, Any],
    now: datetime.datetime,
    tz: datetime.tzinfo,
) -> dict[int, int]:
    """Every rule's points for one lead, by rule id (the score is their sum)."""
    totals = {}
    for rule in rules:
        if rule.kind == EVENT:
            totals[rule.id] = event_rule_total(rule, events, now, tz)
        else:
            totals[rule.id] = attribute_rule_total(rule, values)
    return totals


# --- thresholds ---------------------------------------------------------------------------


def crossed(level: int, downwards: bool, before: int, after: int) -> bool:
    """Did a score move across `level`: up to it or past it, or (a floor) down below it?"""
    if downwards:
        return before >= level > after
    return before < level <= after
