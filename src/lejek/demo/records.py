"""Demo organizations, people, leads and activities, built as plain rows (dicts by attname)."""

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal

from lejek.activities.models import Activity
from lejek.demo import names, texts
from lejek.demo.bulk import Row
from lejek.demo.context import HISTORY_DAYS, Context, Seller, Weighted, lognormal
from lejek.leads.models import Lead, Source

Kind = Activity.Kind
Direction = Activity.Direction
LeadStatus = Lead.Status

SOURCES = Weighted(
    {
        Source.OUTBOUND: 25,
        Source.WEB_FORM: 15,
        Source.REFERRAL: 12,
        Source.CAMPAIGN: 12,
        Source.EVENT: 8,
        Source.PARTNER: 8,
        Source.INBOUND_CALL: 6,
        Source.IMPORT: 6,
        Source.API: 3,
        Source.OTHER: 5,
    }
)
FRESH_LEAD_STATUSES = Weighted({LeadStatus.NEW: 55, LeadStatus.WORKING: 45})
OLD_LEAD_STATUSES = Weighted(
    {
        LeadStatus.WORKING: 8,
        LeadStatus.NURTURING: 22,
        LeadStatus.MQL: 14,
        LeadStatus.SQL: 8,
        LeadStatus.DISQUALIFIED: 48,
    }
)
OPEN_LEAD_STATUSES = frozenset(
    {
        LeadStatus.NEW,
        LeadStatus.WORKING,
        LeadStatus.NURTURING,
        LeadStatus.MQL,
        LeadStatus.SQL,
    }
)
SCORE_RANGES: dict[str, tuple[int, int]] = {
    LeadStatus.NEW: (0, 10),
    LeadStatus.WORKING: (5, 25),
    LeadStatus.NURTURING: (0, 20),
    LeadStatus.MQL: (20, 45),
    LeadStatus.SQL: (45, 90),
    LeadStatus.DISQUALIFIED: (-15, 10),
    LeadStatus.CONVERTED: (40, 100),
}
AUTHORITY = Weighted(
    {
        Lead.Authority.UNKNOWN: 40,
        Lead.Authority.DECISION_MAKER: 25,
        Lead.Authority.INFLUENCER: 25,
        Lead.Authority.NONE: 10,
    }
)
CURRENCIES = Weighted({"PLN": 55, "EUR": 22, "USD": 18, "GBP": 3, "CHF": 2})
# Rough value of one unit in PLN, so amounts in other currencies look plausible.
PLN_PER_UNIT = {"PLN": 1.0, "EUR": 4.3, "USD": 4.0, "GBP": 5.0, "CHF": 4.5}


def money(rng: random.Random, currency: str, median_pln: float = 8000) -> Decimal:
    """A lognormal amount rounded to 10, between 100 and 5,000,000."""
    value = median_pln * math.exp(rng.gauss(0.0, 1.0)) / PLN_PER_UNIT[currency]
    return Decimal(min(5_000_000, max(100, round(value / 10) * 10)))


def phone(rng: random.Random) -> str:
    return f"+{rng.randint(30, 99)} {rng.randint(500, 899)} {rng.randint(100_000, 999_999)}"


def organization(ctx: Context, rng: random.Random, pk: int) -> Row:
    """A company; `created_at` is provisional until its deals are known."""
    country = rng.choices(names.COUNTRY_CODES, cum_weights=names.COUNTRY_CUM_WEIGHTS)[0]
    city = rng.choice(names.COUNTRIES[country][2])
    name, domain = names.company(rng, country, city)
    number, street = rng.randint(1, 180), rng.choice(names.STREETS)
    day = -rng.randint(1, HISTORY_DAYS + 60)
    return {
        "id": pk,
        "owner_id": ctx.seller_for(rng, day).id,
        "name": name,
        "domain": domain,
        "industry": rng.choice(names.INDUSTRIES),
        "employees": min(200_000, lognormal(rng, 80, 1.4)),
        "country": country,
        "city": city,
        "address": f"ul. {street} {number}" if country == "PL" else f"{number} {street}",
        "phone": phone(rng),
        "website": f"https://www.{domain}",
        "created_at": ctx.clock.moment(rng, day),
        "is_customer": False,
        "customer_since": None,
    }


def person(rng: random.Random, org: Row, pk: int) -> Row:
    """A contact at `org`, named in the style of its country (sometimes English anyway)."""
    style = names.COUNTRIES[org["country"]][3] if rng.random() < 0.9 else "en"
    first, last, local = names.person_name(rng, style)
    return {
        "id": pk,
        "owner_id": org["owner_id"],
        "first_name": first,
        "last_name": last,
        "email": f"{local}@{org['domain']}",
        "phone": phone(rng),
        "job_title": rng.choice(names.JOB_TITLES),
        "organization_id": org["id"],
    }


def activity(
    seller: Seller,
    kind: str,
    at: datetime,
    *,
    done: bool,
    subject: str,
    created_at: datetime | None = None,
    **fields: object,
) -> Row:
    """A done activity (`at` = when it was done) or a scheduled one (`at` = when it is due)."""
    created = created_at or at
    return {
        "owner_id": seller.id,
        "created_by_id": seller.id,
        "kind": kind,
        "subject": subject,
        "due_at": at,
        "done_at": at if done else None,
        "created_at": created,
        "updated_at": at if done else created,
        **fields,
    }


def lead(
    ctx: Context,
    rng: random.Random,
    pk: int,
    *,
    org: Row | None = None,
    contact: Row | None = None,
    converted_at: datetime | None = None,
    source: str | None = None,
    seller: Seller | None = None,
) -> tuple[Row, list[Row]]:
    """A lead and its activities. With `converted_at` it is the lead a deal came from."""
    clock = ctx.clock
    if converted_at is not None:
        day = (converted_at - clock.midnight).days - lognormal(rng, 6)
        status: str = LeadStatus.CONVERTED
    else:
        day = -rng.randint(1, HISTORY_DAYS)
        status = (FRESH_LEAD_STATUSES if day > -21 else OLD_LEAD_STATUSES).pick(rng)
    seller = seller or ctx.seller_for(rng, day)
    created = clock.moment(rng, day)
    if org is not None and contact is not None:
        country, company_name, domain = org["country"], org["name"], org["domain"]
        first, last, email = contact["first_name"], contact["last_name"], contact["email"]
        industry = org["industry"]
    else:
        country = rng.choices(names.COUNTRY_CODES, cum_weights=names.COUNTRY_CUM_WEIGHTS)[0]
        company_name, domain = names.company(rng, country, rng.choice(names.COUNTRIES[country][2]))
        first, last, local = names.person_name(rng, names.COUNTRIES[country][3])
        email, industry = f"{local}@{domain}", rng.choice(names.INDUSTRIES)
    source = source or SOURCES.pick(rng)
    currency = CURRENCIES.pick(rng)
    has_budget = rng.random() < 0.4
    low, high = SCORE_RANGES[status]
    row: Row = {
        "id": pk,
        "owner_id": seller.id,
        "title": rng.choice(texts.LEAD_TITLES).format(p=rng.choice(texts.PRODUCTS)),
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone(rng),
        "job_title": rng.choice(names.JOB_TITLES),
        "company_name": company_name,
        "company_domain": domain,
        "industry": industry,
        "country": country,
        "source": source,
        "campaign": rng.choice(texts.CAMPAIGNS) if source == Source.CAMPAIGN else "",
        "status": status,
        "score": rng.randint(low, high),
        "disqualified_reason": (
            rng.choice(texts.DISQUALIFIED_REASONS) if status == LeadStatus.DISQUALIFIED else ""
        ),
        "budget": money(rng, currency) if has_budget else None,
        "budget_currency": currency if has_budget else "",
        "budget_confirmed": has_budget and rng.random() < 0.5,
        "authority": AUTHORITY.pick(rng),
        "need": rng.choice(texts.NEEDS),
        "timeline": rng.choice(texts.TIMELINES),
        "company_size": lognormal(rng, 60, 1.3),
        "pain_points": rng.choice(texts.PAIN_POINTS) if rng.random() < 0.6 else "",
        "created_at": created,
        "updated_at": created,
    }
    end = converted_at or clock.now
    acts = _lead_touches(ctx, rng, row, seller, day, end)
    if status in (LeadStatus.MQL, LeadStatus.SQL, LeadStatus.CONVERTED):
        span = (end - created).total_seconds()
        row["qualified_at"] = created + timedelta(seconds=int(span * rng.uniform(0.5, 0.95)))
    if converted_at is not None:
        row["converted_at"] = row["updated_at"] = converted_at
    return row, acts


def _lead_touches(
    ctx: Context, rng: random.Random, row: Row, seller: Seller, day: int, end: datetime
) -> list[Row]:
    """First outbound touch (lead response time), a reply sometimes, and a next step."""
    acts: list[Row] = []
    created = row["created_at"]
    contacted = row["status"] != LeadStatus.NEW or rng.random() < 0.3
    # Response time: minutes to days, median about three hours.
    first = created + timedelta(minutes=lognormal(rng, 180, 1.3))
    if contacted and first < end:
        row["first_outbound_at"] = first
        links = {"lead_id": row["id"]}
        if rng.random() < 0.6:
            acts.append(
                activity(
                    seller,
                    Kind.EMAIL,
                    first,
                    done=True,
                    subject="Introduction",
                    direction=Direction.OUTBOUND,
                    **links,
                )
            )
            reply = first + timedelta(hours=lognormal(rng, 20, 1.0))
            if rng.random() < 0.3 and reply < end:
                acts.append(
                    activity(
                        seller,
                        Kind.EMAIL,
                        reply,
                        done=True,
                        subject="Re: Introduction",
                        direction=Direction.INBOUND,
                        is_reply=True,
                        is_positive=rng.random() < 0.6,
                        **links,
                    )
                )
        else:
            acts.append(
                activity(
                    seller,
                    Kind.CALL,
                    first,
                    done=True,
                    subject="First call",
                    outcome=rng.choice(texts.CALL_OUTCOMES),
                    duration_minutes=rng.randint(2, 20),
                    **links,
                )
            )
        row["last_activity_at"] = row["updated_at"] = acts[-1]["done_at"]
    if row["status"] in OPEN_LEAD_STATUSES and rng.random() < 0.6:
        last = row.get("last_activity_at")
        due = max(ctx.clock.moment(rng, rng.randint(max(-3, day), 10)), last or created)
        acts.append(
            activity(
                seller,
                Kind.TASK if rng.random() < 0.5 else Kind.CALL,
                due,
                done=False,
                subject=rng.choice(texts.NEXT_ACTIVITY_SUBJECTS),
                created_at=last or created,
                lead_id=row["id"],
            )
        )
        row["next_activity_at"] = due
    return acts
