"""Background work: open the weekly pipeline audit for every team and remind its managers,
and reconcile approved commission statements with later deal changes."""

import datetime

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from lejek.accounts.models import Team, User
from lejek.activities import services as activity_services
from lejek.analytics.filters import add_months
from lejek.salesops import reviews, selectors, statements


def open_weeks(day: datetime.date) -> int:
    """Open this week's audit of every team with a manager; remind each manager once."""
    opened = 0
    for team in Team.objects.filter(members__role=User.Role.MANAGER).distinct().order_by("pk"):
        with transaction.atomic():
            week, created = reviews.audit_week_open(team=team, day=day)
            if not created:
                continue
            opened += 1
            due = timezone.now().replace(second=0, microsecond=0)
            for manager in team.members.filter(role=User.Role.MANAGER, is_active=True):
                activity_services.activity_create(
                    actor=manager,
                    data={
                        "kind": "task",
                        "subject": f"Weekly pipeline audit: {week.queue_size} open deals",
                        "body": f"Review the open deals of {team.name} for the week of "
                        f"{week.week_start:%Y-%m-%d}.",
                        "due_at": due,
                    },
                )
    return opened


@task
def open_weekly_audits() -> int:
    """Safe to run twice in a week: a team whose week is open is skipped."""
    return open_weeks(selectors.local_day(timezone.now()))


@task
def reconcile_statements(months: int = 12) -> int:
    """Adjustment lines for approved statements of the last `months` months."""
    today = selectors.local_day(timezone.now()).replace(day=1)
    return statements.statements_reconcile(actor=None, since=add_months(today, -months))
