"""The fields each kind of import fills, and mappings suggested from a file's headers.

Aliases cover the column names of Lejek's own exports and the usual exports of
Pipedrive ("Deal - Title"), HubSpot ("Deal Name", "Deal Stage", "Close Date")
and Salesforce ("Opportunity Name", "Amount", "Stage", "Account Name").
"""

import re
from dataclasses import dataclass, field

TEXT, EMAIL, DATE, DATETIME, MONEY, INT, BOOL = (
    "text",
    "email",
    "date",
    "datetime",
    "money",
    "int",
    "bool",
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Kind:
    fields: tuple[Field, ...]
    prefixes: tuple[str, ...] = ()
    by_name: dict[str, Field] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.name: f for f in self.fields})


EXTERNAL = "external_id"
OWNER = Field("owner", TEXT, "Owner (email or username)", ("owner", "assigned to", "user"))
CREATED = Field(
    "created_at",
    DATETIME,
    "Created at",
    ("created", "created at", "create date", "created date", "add time", "date created"),
)


def _ext(*aliases: str) -> Field:
    return Field(EXTERNAL, TEXT, "External id", ("id", "external id", "record id", *aliases))


KINDS: dict[str, Kind] = {
    "organization": Kind(
        (
            _ext("organization id", "company id", "account id"),
            Field(
                "name",
                TEXT,
                "Name",
                ("name", "organization", "company", "company name", "account name", "account"),
                required=True,
            ),
            Field("domain", TEXT, "Domain", ("domain", "company domain name")),
            Field("industry", TEXT, "Industry", ("industry",)),
            Field(
                "employees",
                INT,
                "Employees",
                ("employees", "number of employees", "employee count"),
            ),
            Field("country", TEXT, "Country code", ("country", "country code", "billing country")),
            Field("city", TEXT, "City", ("city", "billing city")),
            Field("address", TEXT, "Address", ("address", "street address", "billing street")),
            Field("phone", TEXT, "Phone", ("phone", "phone number")),
            Field("website", TEXT, "Website", ("website", "website url", "web")),
            OWNER,
            CREATED,
        ),
        ("organization", "company", "account"),
    ),
    "person": Kind(
        (
            _ext("person id", "contact id"),
            Field("first_name", TEXT, "First name", ("first name", "firstname", "imię", "имя")),
            Field("last_name", TEXT, "Last name", ("last name", "lastname", "nazwisko", "фамилия")),
            Field("full_name", TEXT, "Full name", ("name", "full name", "contact name")),
            Field("email", EMAIL, "Email", ("email", "email address", "email work", "e mail")),
            Field("phone", TEXT, "Phone", ("phone", "phone number", "phone work", "mobile")),
            Field("job_title", TEXT, "Job title", ("job title", "title", "position")),
            Field(
                "organization",
                TEXT,
                "Organization name",
                ("organization", "company", "company name", "account name", "account"),
            ),
            OWNER,
            CREATED,
        ),
        ("person", "contact"),
    ),
    "lead": Kind(
        (
            _ext("lead id"),
            Field("title", TEXT, "Title", ("title", "lead title", "lead name")),
            Field("first_name", TEXT, "First name", ("first name", "firstname")),
            Field("last_name", TEXT, "Last name", ("last name", "lastname")),
            Field("full_name", TEXT, "Full name", ("name", "full name")),
            Field("email", EMAIL, "Email", ("email", "email address")),
            Field("phone", TEXT, "Phone", ("phone", "phone number", "mobile")),
            Field("job_title", TEXT, "Job title", ("job title", "position")),
            Field("company_name", TEXT, "Company", ("company", "company name", "organization")),
            Field(
                "company_domain", TEXT, "Company domain", ("domain", "company domain", "website")
            ),
            Field("industry", TEXT, "Industry", ("industry",)),
            Field("country", TEXT, "Country code", ("country", "country code")),
            Field("source", TEXT, "Source", ("source", "lead source", "original source")),
            Field("status", TEXT, "Status", ("status", "lead status")),
            Field("campaign", TEXT, "Campaign", ("campaign", "campaign name")),
            OWNER,
            CREATED,
        ),
        ("lead",),
    ),
    "deal": Kind(
        (
            _ext("deal id", "opportunity id"),
            Field(
                "title",
                TEXT,
                "Title",
                ("title", "deal name", "opportunity name", "name", "deal title"),
                required=True,
            ),
            Field("amount", MONEY, "Amount", ("amount", "value", "deal value", "deal amount")),
            Field(
                "currency",
                TEXT,
                "Currency",
                ("currency", "amount currency", "opportunity currency", "currency code"),
            ),
            Field("pipeline", TEXT, "Pipeline", ("pipeline", "deal pipeline")),
            Field("stage", TEXT, "Stage", ("stage", "deal stage", "stage name")),
            Field("status", TEXT, "Status (open, won, lost)", ("status", "deal status")),
            Field(
                "expected_close_date",
                DATE,
                "Expected close date",
                ("expected close date", "close date", "closing date"),
            ),
            Field(
                "closed_at",
                DATETIME,
                "Won or lost at",
                ("won time", "lost time", "close time", "closed date", "closed at", "closed"),
            ),
            Field("lost_reason", TEXT, "Lost reason", ("lost reason", "closed lost reason")),
            Field(
                "organization",
                TEXT,
                "Organization name",
                ("organization", "account name", "company", "company name", "associated company"),
            ),
            Field("source", TEXT, "Source", ("source", "lead source", "deal source")),
            Field(
                "owner",
                TEXT,
                "Owner (email or username)",
                ("owner", "deal owner", "opportunity owner", "assigned to"),
            ),
            Field(
                "created_at",
                DATETIME,
                "Created at",
                (
                    "created",
                    "created at",
                    "create date",
                    "created date",
                    "deal created",
                    "add time",
                ),
            ),
        ),
        ("deal", "opportunity"),
    ),
    "activity": Kind(
        (
            _ext("activity id", "task id"),
            Field("kind", TEXT, "Type", ("type", "activity type", "kind", "task type")),
            Field("subject", TEXT, "Subject", ("subject", "title")),
            Field("body", TEXT, "Note", ("note", "notes", "body", "description", "comments")),
            Field("due_at", DATETIME, "Due at", ("due date", "due", "due at", "due time")),
            Field(
                "done_at",
                DATETIME,
                "Done at",
                ("done time", "marked as done time", "completed at", "completed date"),
            ),
            Field("done", BOOL, "Done (yes/no)", ("done", "completed", "is done")),
            Field("duration_minutes", INT, "Duration (minutes)", ("duration", "duration minutes")),
            Field("outcome", TEXT, "Outcome", ("outcome", "result", "call outcome")),
            Field("direction", TEXT, "Direction", ("direction",)),
            Field("deal", TEXT, "Deal external id", ("deal id", "deal external id", "deal")),
            Field("lead", TEXT, "Lead external id", ("lead id", "lead external id", "lead")),
            Field("person", TEXT, "Person email", ("person email", "contact email", "email")),
            Field("organization", TEXT, "Organization name", ("organization", "company")),
            OWNER,
            CREATED,
        ),
        ("activity", "task"),
    ),
    "stage_history": Kind(
        (
            Field(
                "deal",
                TEXT,
                "Deal external id",
                ("deal id", "deal external id", "opportunity id", "deal", "record id", "id"),
                required=True,
            ),
            Field(
                "stage",
                TEXT,
                "Stage",
                ("stage", "stage name", "deal stage", "to stage", "new stage", "new value"),
                required=True,
            ),
            Field(
                "entered_at",
                DATETIME,
                "Entered at",
                (
                    "entered at",
                    "entered",
                    "date",
                    "stage entered",
                    "changed at",
                    "change date",
                    "timestamp",
                    "update time",
                    "edit date",
                ),
                required=True,
            ),
            Field("pipeline", TEXT, "Pipeline", ("pipeline",)),
        ),
        ("deal", "opportunity", "stage history"),
    ),
}


def normalise(header: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", header.lower()).split())


def suggest(kind: str, headers: list[str]) -> dict[str, str]:
    """header → field for the headers recognised; each field is given at most once.

    An exact alias wins over one found after removing the kind's prefix
    ("Deal - Value" → "value"), and earlier headers over later ones.
    """
    spec = KINDS[kind]
    table: dict[str, str] = {}
    for f in spec.fields:
        for alias in (f.name.replace("_", " "), *f.aliases):
            table.setdefault(normalise(alias), f.name)
    result: dict[str, str] = {}
    used: set[str] = set()
    for strip in (False, True):
        for header in headers:
            if header in result:
                continue
            key = normalise(header)
            if strip:
                for prefix in spec.prefixes:
                    if key.startswith(prefix + " "):
                        key = key[len(prefix) + 1 :]
                        break
                else:
                    continue
            name = table.get(key)
            if name and name not in used:
                result[header] = name
                used.add(name)
    return {h: result.get(h, "") for h in headers}


def check(kind: str, columns: dict[str, str]) -> dict[str, list[str]]:
    """Errors in a mapping: unknown fields, a field given twice, required fields missing."""
    spec = KINDS[kind]
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for header, name in columns.items():
        if not name:
            continue
        if name not in spec.by_name:
            errors.setdefault(header, []).append(f"Unknown field '{name}'.")
        elif name in seen:
            errors.setdefault(header, []).append(
                f"'{name}' is already read from column '{seen[name]}'."
            )
        else:
            seen[name] = header
    for f in spec.fields:
        if f.required and f.name not in seen:
            errors.setdefault(f.name, []).append(f"Map a column to '{f.label}'.")
    if kind in ("person",) and not ({"last_name", "full_name"} & set(seen)):
        errors.setdefault("last_name", []).append("Map a column to the last name or full name.")
    return errors
