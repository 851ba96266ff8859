"""Leads from public web forms: checked, rate-limited, routed, recorded.

A submission is refused with a reason per field, never half-applied: a missing required
field, a value longer than its lead field takes, an unknown field, a filled honeypot, a
wrong shared secret, or too many submissions from one address in an hour. Each attempt is
a `WebFormSubmission` row (the address kept only as a keyed hash), which is also what the
rate limit counts, so every server process counts the same.
"""

import datetime
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.core import audit, records
from lejek.core.errors import (
    DomainError,
    Forbidden,
    TooManyRequests,
    ValidationFailed,
)
from lejek.leads import routing, services
from lejek.leads.models import Lead, Source, WebForm, WebFormSubmission

# Lead fields a form may fill, and their longest values.
TARGETS = {
    "title": 200,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 50,
    "job_title": 150,
    "company_name": 200,
    "company_domain": 200,
    "industry": 100,
    "country": 2,
    "company_size": 9,
    "need": 5000,
    "timeline": 200,
    "pain_points": 5000,
}
MAX_FIELDS = 40
MAX_BODY = 64 * 1024
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
FORM_FIELDS = (
    "name",
    "slug",
    "fields",
    "required",
    "honeypot",
    "secret",
    "per_hour",
    "source",
    "campaign",
    "default_owner_id",
    "thank_you",
    "is_active",
)


class Rejected(ValidationFailed):
    """A submission refused as abuse (400): a filled honeypot, too many fields."""

    status = 400
    code = "rejected"


def client_key(address: str | None) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _log(
    form: WebForm, client: str, outcome: str, reason: str = "", lead: Lead | None = None
) -> None:
    WebFormSubmission.objects.create(
        form=form, client=client, outcome=outcome, reason=reason[:300], lead=lead
    )


def _check_limit(form: WebForm, client: str) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = list(
        WebFormSubmission.objects.filter(form=form, client=client, at__gte=since)
        .exclude(outcome=WebFormSubmission.Outcome.LIMITED)
        .order_by("-at")
        .values_list("at", flat=True)[: form.per_hour]
    )
    if len(recent) >= form.per_hour:
        wait = (recent[-1] + datetime.timedelta(hours=1) - timezone.now()).total_seconds()
        raise TooManyRequests(
            "Too many submissions from your address; try again later.",
            retry_after=max(1, int(wait) + 1),
        )


def _lead_data(form: WebForm, posted: dict[str, str]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    for name, value in posted.items():
        if name in (form.honeypot, "_secret"):
            continue
        target = form.fields.get(name)
        if target is None:
            errors[name] = ["This form has no such field."]
            continue
        value = value.strip()
        if len(value) > TARGETS[target]:
            errors[name] = [f"At most {TARGETS[target]} characters."]
            continue
        if target == "company_size" and value:
            if not value.isdigit():
                errors[name] = ["Give the number of employees as a whole number."]
                continue
            data[target] = int(value)
        elif value:
            data[target] = value
    for name in form.required:
        if not (posted.get(name) or "").strip():
            errors.setdefault(name, []).append("This field is required.")
    if errors:
        raise ValidationFailed("The form has errors.", fields=errors)
    return data


def submit(*, form: WebForm, posted: dict[str, Any], address: str | None) -> Lead:
    """A lead from one submission (values are the form's own field names), or an error."""
    client = client_key(address)
    if not form.is_active:
        raise Forbidden("This form is closed.")
    try:
        _check_limit(form, client)
    except TooManyRequests:
        _log(form, client, WebFormSubmission.Outcome.LIMITED, "rate limit")
        raise
    try:
        if len(posted) > MAX_FIELDS:
            raise Rejected("Too many fields.", fields={"__all__": ["Too many fields."]})
        if not all(isinstance(v, str) for v in posted.values()):
            raise Rejected("Every value must be text.", fields={"__all__": ["Send text values."]})
        if form.honeypot and (posted.get(form.honeypot) or "").strip():
            raise Rejected("Rejected.", fields={form.honeypot: ["Leave this field empty."]})
        if form.secret and not hmac.compare_digest(str(posted.get("_secret", "")), form.secret):
            raise Forbidden("The form's secret does not match.")
        lead = _create(form, _lead_data(form, posted))
    except DomainError as exc:
        _log(form, client, WebFormSubmission.Outcome.REJECTED, exc.message)
        raise
    _log(form, client, WebFormSubmission.Outcome.CREATED, lead=lead)
    return lead


def _create(form: WebForm, data: dict[str, Any]) -> Lead:
    values = {**data, "source": form.source, "campaign": form.campaign}
    default = form.default_owner or form.created_by
    if default is None or not default.is_active:
        raise Forbidden("This form has nobody to give its leads to; ask an administrator.")
    with transaction.atomic():
        try:
            lead = services.lead_create(actor=default, data=values)
        except ValidationFailed as exc:
            # Errors name lead fields; the sender knows the form's own names.
            back = {target: name for name, target in form.fields.items()}
            fields = {back.get(k, k): v for k, v in (exc.fields or {}).items()}
            raise ValidationFailed(exc.message, fields=fields) from exc
        owner, rule = routing.pick_owner(values)
        if owner is not None and rule is not None:
            via = f"from the form “{form.name}”"
            lead = routing.assign(actor=None, lead=lead, owner=owner, rule=rule, via=via)
    return lead


# --- the forms ----------------------------------------------------------------------------


def _form_values(form: WebForm, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in FORM_FIELDS}
    merged = {k: values.get(k, getattr(form, k)) for k in FORM_FIELDS}
    errors: dict[str, list[str]] = {}
    name = (merged["name"] or "").strip()
    if not name or len(name) > 120:
        errors["name"] = ["Give the form a name of at most 120 characters."]
    values["name"] = name
    slug = (merged["slug"] or "").strip().lower()
    if not SLUG.match(slug):
        errors["slug"] = ["Use lower-case letters, digits and hyphens (at most 60)."]
    elif WebForm.objects.filter(slug=slug).exclude(pk=form.pk).exists():
        errors["slug"] = ["Another form uses this address."]
    values["slug"] = slug
    fields = merged["fields"]
    if not isinstance(fields, dict) or not fields or len(fields) > MAX_FIELDS:
        errors["fields"] = [f"Map 1 to {MAX_FIELDS} form fields to lead fields."]
    else:
        for key, target in fields.items():
            if not re.match(r"^[A-Za-z0-9_.-]{1,60}$", str(key)):
                errors.setdefault("fields", []).append(f"'{key}' is not a usable field name.")
            if target not in TARGETS:
                allowed = ", ".join(TARGETS)
                errors.setdefault("fields", []).append(
                    f"'{target}' is not a lead field a form may fill ({allowed})."
                )
    required = merged["required"] or []
    if not isinstance(required, list) or any(r not in (fields or {}) for r in required):
        errors["required"] = ["Required fields must be fields of the form."]
    honeypot = (merged["honeypot"] or "").strip()
    if honeypot and isinstance(fields, dict) and honeypot in fields:
        errors["honeypot"] = ["The honeypot must not be one of the form's fields."]
    values["honeypot"] = honeypot
    per_hour = merged["per_hour"]
    if isinstance(per_hour, bool) or not isinstance(per_hour, int) or not 1 <= per_hour <= 10_000:
        errors["per_hour"] = ["Give a number from 1 to 10,000."]
    if merged["source"] not in Source.values:
        errors["source"] = ["Choose one of the lead sources."]
    thank_you = (merged["thank_you"] or "").strip()
    if thank_you and not re.match(r"^https?://", thank_you):
        errors["thank_you"] = ["Give an http(s) address to send people to, or leave it empty."]
    owner_id = merged["default_owner_id"]
    if owner_id is not None and not User.objects.filter(pk=owner_id, is_active=True).exists():
        errors["default_owner_id"] = [f"No active user with id {owner_id}."]
    if len(str(merged["secret"] or "")) > 120:
        errors["secret"] = ["At most 120 characters."]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    return values


@transaction.atomic
def form_create(*, actor: User, data: dict[str, Any]) -> WebForm:
    access.require_admin(actor, "change web forms")
    form = WebForm(created_by=actor)
    for name, value in _form_values(form, data).items():
        setattr(form, name, value)
    form.save()
    audit.log_created(actor=actor, instance=form)
    return form


@transaction.atomic
def form_update(*, actor: User, form: WebForm, data: dict[str, Any], version: int) -> WebForm:
    access.require_admin(actor, "change web forms")
    values = _form_values(form, data)
    records.update_settings(actor=actor, instance=form, changes=values, expected_version=version)
    return form
