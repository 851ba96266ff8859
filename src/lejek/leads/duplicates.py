"""Possible duplicates of a lead: the same email, the same company domain, similar names.

Each check is one indexed look-up (email, company domain, lower-cased last name, lower-cased
company name); the candidates are then compared in Python, so a look-up stays cheap at a
million leads. Free-mail domains (gmail.com, wp.pl, mail.ru…) say nothing about the company.
"""

import re
import unicodedata
from typing import Any

from django.db.models import Q, Value
from django.db.models.functions import Lower

from lejek.accounts.models import User
from lejek.leads.models import Lead

FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
        "icloud.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net",
        "wp.pl", "o2.pl", "onet.pl", "op.pl", "interia.pl", "gazeta.pl", "tlen.pl",
        "mail.ru", "yandex.ru", "ya.ru", "bk.ru", "list.ru", "inbox.ru", "rambler.ru",
    }
)  # fmt: skip
LEGAL_FORMS = re.compile(
    r"\b(sp\.? ?z ?o\.? ?o\.?|s\.? ?a\.?|sp\.? ?j\.?|ltd\.?|inc\.?|llc|gmbh|ооо|оао|зао|ао|ип)\b",
    re.IGNORECASE,
)
LIMIT = 10


def fold(text: str) -> str:
    """Lower-case, without accents, punctuation or legal forms: "Łódź-Tech Sp. z o.o." and
    "lodz tech" compare equal."""
    text = LEGAL_FORMS.sub(" ", text or "")
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def company_domain(values: dict[str, Any]) -> str:
    domain = (values.get("company_domain") or "").strip().lower()
    if domain:
        return domain
    email = (values.get("email") or "").strip().lower()
    host = email.rpartition("@")[2]
    return host if host and host not in FREE_MAIL else ""


def find(*, user: User, values: dict[str, Any], exclude: int | None = None) -> list[dict[str, Any]]:
    """Leads the user can see that may be the same as one with `values`, with the reasons,
    the strongest first."""
    email = (values.get("email") or "").strip().lower()
    domain = company_domain(values)
    last = (values.get("last_name") or "").strip()
    first = fold(values.get("first_name") or "")
    company = (values.get("company_name") or "").strip()
    checks = Q(pk__in=[])
    if email:
        checks |= Q(email=email)
    if domain:
        checks |= Q(company_domain=domain)
    if last:
        checks |= Q(last_lower=Lower(Value(last)))
    if company:
        checks |= Q(company_lower=Lower(Value(company)))
    qs = (
        Lead.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .annotate(last_lower=Lower("last_name"), company_lower=Lower("company_name"))
        .filter(checks)
        .select_related("owner")
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    found = []
    for lead in qs.order_by("-created_at", "-pk")[:200]:
        reasons = []
        if email and lead.email == email:
            reasons.append("same email")
        if (
            domain
            and company_domain({"company_domain": lead.company_domain, "email": lead.email})
            == domain
        ):
            reasons.append("same company domain")
        if (
            last
            and fold(lead.last_name) == fold(last)
            and (not first or not lead.first_name or fold(lead.first_name)[:1] == first[:1])
        ):
            reasons.append("similar name")
        if company and fold(lead.company_name) == fold(company):
            reasons.append("same company name")
        if reasons:
            found.append({"lead": lead, "reasons": reasons})
    found.sort(key=lambda c: (-len(c["reasons"]), "same email" not in c["reasons"]))
    return found[:LIMIT]


def of_lead(*, user: User, lead: Lead) -> list[dict[str, Any]]:
    values = {
        name: getattr(lead, name)
        for name in ("email", "company_domain", "first_name", "last_name", "company_name")
    }
    return find(user=user, values=values, exclude=lead.pk)
