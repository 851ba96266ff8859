"""Onboarding: the post-sale plan started when a new-business deal is won (seed 004's
"post-sale follow-up": help with onboarding, check in regularly, ask for referrals).

The plan is a list of tasks for the account owner, due at fixed days after the win:
a kick-off, a first-value check, check-ins at 30, 60 and 90 days, and asking for a
referral once the customer has seen value. Started once per deal (a one-to-one row), so
winning, reopening and winning again does not double the tasks.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from lejek.accounts.models import User
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.automation import business_days
from lejek.core import records
from lejek.customers.models import Onboarding
from lejek.pipelines.models import Deal

TASK_HOUR = 10
# (key, days after the win, subject); "b" days are business days, the rest calendar days.
PLAN = (
    ("kickoff", "2b", "Onboarding kick-off call"),
    ("first_value", "14", "Check the customer reached first value"),
    ("checkin_30", "30", "Check-in at 30 days"),
    ("checkin_60", "60", "Check-in at 60 days"),
    ("checkin_90", "90", "Check-in at 90 days"),
    ("referral", "90", "Ask for a referral"),
)
CHECK_IN_DAYS = (30, 60, 90)


def due_day(won_on: datetime.date, offset: str) -> datetime.date:
    if offset.endswith("b"):
        return business_days.shift_business_days(won_on, int(offset[:-1]))
    return won_on + datetime.timedelta(days=int(offset))


def start(*, deal: Deal, day: datetime.date, actor: User | None) -> Onboarding | None:
    """Schedule the onboarding tasks for a won deal (once)."""
    with transaction.atomic():
        plan, created = Onboarding.objects.get_or_create(
            deal=deal, defaults={"organization_id": deal.organization_id, "started_on": day}
        )
        if not created:
            return plan
        zone = ZoneInfo(settings.TIME_ZONE)
        name = deal.organization.name if deal.organization is not None else deal.title
        tasks = []
        for _key, offset, subject in PLAN:
            due = datetime.datetime.combine(
                due_day(day, offset), datetime.time(TASK_HOUR), tzinfo=zone
            )
            tasks.append(
                records.create(
                    actor=actor,
                    instance=Activity(
                        kind=Activity.Kind.TASK,
                        subject=f"{subject}: {name}"[:200],
                        body=f"Onboarding after deal “{deal.title}” was won on {day.isoformat()}.",
                        due_at=due,
                        owner_id=deal.owner_id,
                        # On the customer, not the won deal: follow-ups hang off the customer.
                        deal=None,
                        organization_id=deal.organization_id,
                        created_by=actor,
                    ),
                )
            )
        plan.tasks.set(tasks)
        activity_services.refresh_linked_dates(tasks)
    return plan
