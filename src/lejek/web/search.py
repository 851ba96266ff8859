"""Global search: people, organizations, deals and leads whose name starts with what was typed.

Built to stay fast at millions of rows: every kind is one query that reads an
index range on a lower-cased column (`lower(col) >= 'abc' AND lower(col) < 'abc\\U0010ffff'`),
ordered by that same expression and limited to a few rows, so the database walks
the index and stops. The LIKE beside the range re-checks the prefix exactly.
Only records the user may see are returned (the one visibility rule).

SQLite's lower() folds ASCII letters only, so there the typed text is tried as
typed, lower-cased and capitalised, which covers names stored the usual way
("Иванов" found by "иван").
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower

from lejek.accounts.models import User
from lejek.contacts.models import Organization, Person
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal
from lejek.web import records

PER_KIND = 8
MIN_LENGTH = 2
MAX_LENGTH = 100
HIGH = "\U0010ffff"  # sorts after every character: the end of a prefix range


@dataclass(frozen=True)
class Hit:
    kind: str
    pk: int
    title: str
    detail: str
    url: str | None


def _variants(text: str) -> list[str]:
    """The forms `text` may take in the database after lower()."""
    if connection.vendor != "sqlite":
        return [text.lower()]
    ascii_lower = "".join(c.lower() if c.isascii() else c for c in text)
    capital = text[:1].upper() + text[1:].lower()
    forms = [ascii_lower, "".join(c.lower() if c.isascii() else c for c in capital)]
    forms.append("".join(c.lower() if c.isascii() else c for c in text.lower()))
    return list(dict.fromkeys(forms))


def prefix(alias: str, text: str) -> Q:
    """Rows whose `alias` (a lower-cased expression) starts with `text`, read as an index range."""
    where = Q()
    for form in _variants(text):
        where |= Q(
            **{f"{alias}__gte": form, f"{alias}__lt": form + HIGH, f"{alias}__startswith": form}
        )
    return where


def _first(qs: QuerySet[Any], expression: Any, where: Q, *fields: str) -> list[dict[str, Any]]:
    """The first rows in index order; plain values, since building models would cost more."""
    rows = qs.alias(k=expression).filter(where).order_by("k").values("pk", *fields)
    return list(rows[:PER_KIND])


def _merged(*batches: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    unique = {row["pk"]: row for batch in batches for row in batch}
    return sorted(unique.values(), key=lambda row: (row[key] or "").lower())[:PER_KIND]


PERSON = ("first_name", "last_name", "email", "organization__name")


def people(user: User, text: str) -> list[dict[str, Any]]:
    qs = Person.objects.visible_to(user)
    if "@" in text:
        return _first(qs, F("email"), prefix("k", text), *PERSON)
    words = text.split()
    by_last = Lower("last_name")
    if len(words) == 1:
        return _first(qs, by_last, prefix("k", text), *PERSON)
    # "Jan Kowalski" or "Kowalski Jan": each order is its own index range.
    first, last = words[0], words[-1]
    return _merged(
        _first(qs, by_last, prefix("k", last) & Q(first_name__istartswith=first), *PERSON),
        _first(qs, by_last, prefix("k", first) & Q(first_name__istartswith=last), *PERSON),
        key="last_name",
    )


def organizations(user: User, text: str) -> list[dict[str, Any]]:
    qs = Organization.objects.visible_to(user)
    if "." in text and " " not in text:
        return _first(qs, F("domain"), prefix("k", text), "name", "domain")
    return _first(qs, Lower("name"), prefix("k", text), "name", "domain")


def deals(user: User, text: str) -> list[dict[str, Any]]:
    qs = Deal.objects.visible_to(user)
    return _first(
        qs, Lower("title"), prefix("k", text), "title", "organization__name", "stage__name"
    )


LEAD = ("title", "first_name", "last_name", "email", "company_name")


def leads(user: User, text: str) -> list[dict[str, Any]]:
    qs = Lead.objects.visible_to(user)
    if "@" in text:
        return _first(qs, F("email"), prefix("k", text), *LEAD)
    return _merged(
        _first(qs, Lower("last_name"), prefix("k", text), *LEAD),
        _first(qs, Lower("company_name"), prefix("k", text), *LEAD),
        key="last_name",
    )


def _person_name(row: dict[str, Any]) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def _lead_name(row: dict[str, Any]) -> str:
    person = _person_name(row)
    return row["title"] or person or row["company_name"] or row["email"] or f"#{row['pk']}"


def _detail(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def cleaned(text: str) -> str:
    """Typed text as a search term: single spaces, bounded, no NUL (PostgreSQL refuses it)."""
    return " ".join(text.replace("\x00", "").split())[:MAX_LENGTH]


def search(user: User, text: str) -> dict[str, list[Hit]]:
    """Up to PER_KIND hits of each kind, or nothing when the text is too short."""
    text = cleaned(text)
    if len(text) < MIN_LENGTH:
        return {}
    return {
        "person": [
            Hit(
                "person",
                row["pk"],
                _person_name(row),
                _detail(row["organization__name"], row["email"]),
                records.url("person", row["pk"]),
            )
            for row in people(user, text)
        ],
        "organization": [
            Hit(
                "organization",
                row["pk"],
                row["name"],
                row["domain"],
                records.url("organization", row["pk"]),
            )
            for row in organizations(user, text)
        ],
        "deal": [
            Hit(
                "deal",
                row["pk"],
                row["title"],
                _detail(row["organization__name"], row["stage__name"]),
                records.url("deal", row["pk"]),
            )
            for row in deals(user, text)
        ],
        "lead": [
            Hit(
                "lead",
                row["pk"],
                _lead_name(row),
                row["company_name"],
                records.url("lead", row["pk"]),
            )
            for row in leads(user, text)
        ],
    }
