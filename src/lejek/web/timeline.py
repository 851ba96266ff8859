"""Timeline entries as a person reads them, in the interface language.

`activities.timeline` returns neutral rows (type, subtype, field, old and new
values); this turns them into a title, an icon and "old → new" text. Owners
and organizations stored by id in the audit log are shown by name (at most two
queries per page, organizations only if the reader may see them).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.contacts.models import Organization

ICONS = {
    "call": "bi-telephone",
    "email": "bi-envelope",
    "meeting": "bi-people",
    "task": "bi-check2-square",
    "deadline": "bi-flag",
    "note": "bi-sticky",
}
# "Email" the activity, not the address: the context keeps the two apart in translations.
KIND_LABELS = {
    "call": pgettext_lazy("activity", "Call"),
    "email": pgettext_lazy("activity", "Email"),
    "meeting": pgettext_lazy("activity", "Meeting"),
    "task": pgettext_lazy("activity", "Task"),
    "deadline": pgettext_lazy("activity", "Deadline"),
    "note": pgettext_lazy("activity", "Note"),
}
STATUS_LABELS = {
    "won": gettext_lazy("Won"),
    "lost": gettext_lazy("Lost"),
    "open": gettext_lazy("Reopened"),
}
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "job_title": gettext_lazy("Job title"),
    "organization": gettext_lazy("Organization"),
    "owner": gettext_lazy("Owner"),
    "name": gettext_lazy("Name"),
    "domain": gettext_lazy("Domain"),
    "industry": gettext_lazy("Industry"),
    "employees": gettext_lazy("Employees"),
    "country": gettext_lazy("Country"),
    "city": gettext_lazy("City"),
    "address": gettext_lazy("Address"),
    "website": gettext_lazy("Website"),
    "company_name": gettext_lazy("Company"),
    "company_domain": gettext_lazy("Company domain"),
    "source": gettext_lazy("Source"),
    "campaign": gettext_lazy("Campaign"),
    "status": gettext_lazy("Status"),
    "disqualified_reason": gettext_lazy("Disqualification reason"),
    "budget": gettext_lazy("Budget"),
    "budget_currency": gettext_lazy("Budget currency"),
    "budget_confirmed": gettext_lazy("Budget confirmed"),
    "authority": gettext_lazy("Authority"),
    "need": gettext_lazy("Need"),
    "timeline": gettext_lazy("Timeline"),
    "company_size": gettext_lazy("Company size"),
    "pain_points": gettext_lazy("Pain points"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "expected_close_date": gettext_lazy("Expected close"),
    "forecast_category": gettext_lazy("Forecast category"),
    "committed_amount": gettext_lazy("Committed amount"),
    "committed_date": gettext_lazy("Committed date"),
    "next_step": gettext_lazy("Next step"),
    "people": gettext_lazy("People"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "lead": gettext_lazy("Lead"),
    "contract_years": gettext_lazy("Contract years"),
    "subject": gettext_lazy("Subject"),
    "due_at": gettext_lazy("Due"),
    "done_at": gettext_lazy("Done"),
    "outcome": gettext_lazy("Outcome"),
    "kind": gettext_lazy("Type"),
}
ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "deleted": gettext_lazy("Deleted"),
    "restored": gettext_lazy("Restored"),
    "merged": gettext_lazy("Merged"),
    "override": gettext_lazy("Moved past a gate"),
}
REFERENCES = ("owner", "organization")


def describe(items: list[dict[str, Any]], *, user: User) -> list[dict[str, Any]]:
    names = _reference_names(items, user)
    return [_entry(item, names) for item in items]


def _reference_names(items: list[dict[str, Any]], user: User) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[int]] = {name: set() for name in REFERENCES}
    for item in items:
        if item["type"] == "audit" and item["field"] in REFERENCES:
            for value in (item["old_value"], item["new_value"]):
                if value and value.isdigit() and len(value) <= 18:
                    wanted[item["field"]].add(int(value))
    names: dict[tuple[str, str], str] = {}
    if wanted["owner"]:
        for owner in User.objects.filter(pk__in=wanted["owner"]):
            names[("owner", str(owner.pk))] = owner.display_name
    if wanted["organization"]:
        visible = Organization.objects.visible_to(user).filter(pk__in=wanted["organization"])
        for pk, name in visible.values_list("pk", "name"):
            names[("organization", str(pk))] = name
    return names


def _entry(item: dict[str, Any], names: dict[tuple[str, str], str]) -> dict[str, Any]:
    kind, subtype = item["type"], item["subtype"]
    entry = {**item, "icon": "bi-clock-history", "detail": "", "css": f"t-{kind}"}
    if kind == "activity":
        entry["icon"] = ICONS.get(subtype, "bi-dot")
        english = Activity.Kind(subtype).label if subtype in Activity.Kind.values else ""
        kind_label = KIND_LABELS.get(subtype, subtype)
        entry["kind_label"] = kind_label
        entry["label"] = kind_label if item["title"] in ("", english) else item["title"]
        entry["is_open"] = item["done_at"] is None and subtype != "note"
    elif kind == "stage_change":
        entry["icon"] = "bi-arrow-right-circle"
        if item["old_value"] is None:
            entry["label"] = _("Entered stage %(stage)s") % {"stage": item["new_value"]}
        else:
            entry["label"] = _("Moved from %(old)s to %(new)s") % {
                "old": item["old_value"],
                "new": item["new_value"],
            }
    elif kind == "status_change":
        entry["icon"] = {"won": "bi-trophy", "lost": "bi-x-circle"}.get(subtype, "bi-arrow-repeat")
        entry["label"] = str(STATUS_LABELS.get(subtype, subtype))
    else:
        entry.update(_audit(item, names))
    return entry


def _audit(item: dict[str, Any], names: dict[tuple[str, str], str]) -> dict[str, Any]:
    action, field = item["subtype"], item["field"]
    label = FIELD_LABELS.get(field, field.replace("_", " "))
    if action in ("updated", "stage_changed", "status_changed") and field:
        old = _value(field, item["old_value"], names)
        new = _value(field, item["new_value"], names)
        return {
            "icon": "bi-pencil",
            "label": _("Changed %(field)s") % {"field": label},
            "detail": f"{old} → {new}",
        }
    text = str(ACTION_LABELS.get(action, action.replace("_", " ").capitalize()))
    return {"icon": "bi-plus-circle" if action == "created" else "bi-info-circle", "label": text}


def _value(field: str, value: str | None, names: dict[tuple[str, str], str]) -> str:
    if value is None or value == "":
        return "—"
    return names.get((field, value), value)
