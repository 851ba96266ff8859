"""Rule conditions: simple predicates over a record's fields, checked when a rule is saved."""

import datetime
import decimal
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from lejek.automation import context
from lejek.core.errors import ValidationFailed

OPERATORS = {
    "eq": "equals",
    "ne": "does not equal",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "not_in": "is none of",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
}
NO_VALUE = {"is_empty", "is_not_empty"}
LISTS = {"in", "not_in"}
# What a condition may read through a relation; nothing else of a related row is reachable.
RELATED_FIELDS = {
    "owner": ("username", "email", "first_name", "last_name", "role", "team_id"),
    "stage": ("name", "order", "probability"),
    "pipeline": ("name", "template"),
    "organization": ("name", "domain", "industry", "country", "city", "employees"),
    "lead": ("status", "source", "score", "campaign"),
    "person": ("email", "job_title"),
    "deal": ("title", "status", "amount"),
}


def fields_of(entity_type: str) -> list[str]:
    """Field paths a condition on this kind of record may use."""
    model = context.model_for(entity_type)
    paths: list[str] = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            paths.append(field.attname)
            paths += [f"{field.name}.{sub}" for sub in RELATED_FIELDS.get(field.name, ())]
        elif field.name not in {"deleted_at"}:
            paths.append(field.name)
    return paths


def validate(entity_type: str, raw: Any) -> list[dict[str, Any]]:
    """Conditions as stored: a list of {field, op, value}; 422 naming the bad one."""
    if not isinstance(raw, list):
        raise ValidationFailed.field("conditions", "Conditions must be a list.")
    allowed = set(fields_of(entity_type))
    cleaned = []
    for index, item in enumerate(raw):
        where = f"conditions.{index}"
        if not isinstance(item, dict):
            raise ValidationFailed.field(where, "Each condition needs a field, op and value.")
        field, op = item.get("field"), item.get("op", "eq")
        if field not in allowed:
            raise ValidationFailed.field(f"{where}.field", f"Unknown field '{field}'.")
        if op not in OPERATORS:
            raise ValidationFailed.field(
                f"{where}.op", f"Unknown operator '{op}'. Use one of: {', '.join(OPERATORS)}."
            )
        value = item.get("value")
        if op in LISTS and not isinstance(value, list):
            raise ValidationFailed.field(f"{where}.value", "Give a list of values.")
        if op not in NO_VALUE and op not in LISTS and isinstance(value, list | dict):
            raise ValidationFailed.field(f"{where}.value", "Give a single value.")
        cleaned.append({"field": field, "op": op, "value": None if op in NO_VALUE else value})
    return cleaned


def value_of(record: Any, path: str) -> Any:
    current = record
    for part in path.split("."):
        if current is None:
            return None
        current = getattr(current, part, None)
    return current


def _coerce(actual: Any, expected: Any) -> Any:
    """The condition's value in the type of the record's value, so 10 < 9.5 is false."""
    if expected is None or actual is None:
        return expected
    try:
        if isinstance(actual, bool):
            return expected if isinstance(expected, bool) else str(expected).lower() == "true"
        if isinstance(actual, int | float | decimal.Decimal):
            return decimal.Decimal(str(expected))
        if isinstance(actual, datetime.datetime):
            return parse_datetime(str(expected)) or expected
        if isinstance(actual, datetime.date):
            return parse_date(str(expected)) or expected
    except (decimal.InvalidOperation, ValueError):
        return expected
    return expected if isinstance(actual, str) else str(expected)


def _normal(actual: Any) -> Any:
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        return decimal.Decimal(str(actual))
    return actual


def holds(condition: dict[str, Any], record: Any) -> bool:
    op = condition["op"]
    actual = _normal(value_of(record, condition["field"]))
    if op == "is_empty":
        return actual in (None, "", [], {})
    if op == "is_not_empty":
        return actual not in (None, "", [], {})
    if op in LISTS:
        options = [_coerce(actual, v) for v in condition["value"]]
        return (actual in options) == (op == "in")
    expected = _coerce(actual, condition["value"])
    try:
        if op == "eq":
            return bool(actual == expected)
        if op == "ne":
            return bool(actual != expected)
        if op in {"contains", "not_contains"}:
            found = str(expected).casefold() in str(actual or "").casefold()
            return found == (op == "contains")
        if actual is None or expected is None:
            return False
        return bool(
            {
                "gt": actual > expected,
                "gte": actual >= expected,
                "lt": actual < expected,
                "lte": actual <= expected,
            }[op]
        )
    except TypeError:
        # A value that cannot be compared (text against a number) simply does not match.
        return False


def evaluate(conditions: list[dict[str, Any]], record: Any) -> list[dict[str, Any]]:
    """Each condition with the record's value and whether it holds (for dry runs)."""
    return [
        {
            **c,
            "actual": context_text(value_of(record, c["field"])),
            "holds": holds(c, record),
        }
        for c in conditions
    ]


def all_hold(conditions: list[dict[str, Any]], record: Any) -> bool:
    return all(holds(c, record) for c in conditions)


def context_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)
