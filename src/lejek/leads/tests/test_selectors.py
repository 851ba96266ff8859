import datetime

import pytest
from django.utils import timezone

from lejek.accounts import access
from lejek.core.errors import NotFound
from lejek.leads import selectors, services
from lejek.leads.models import Lead
from lejek.leads.schemas import LeadFilters
from lejek.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def names(user, **filters) -> set[str]:
    qs = selectors.lead_list(user=user, filters=LeadFilters(**filters))
    return {lead.display_name for lead in qs}


def created_on(lead: Lead, day: datetime.date) -> None:
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())
    Lead.objects.filter(pk=lead.pk).update(created_at=noon)


def test_visibility_rep_own_manager_team_admin_all(personas):
    for name in ("owner", "teammate", "manager", "outsider", "other_manager"):
        make_lead(personas[name], title=f"of {name}")
    assert names(personas["owner"]) == {"of owner"}
    assert names(personas["teammate"]) == {"of teammate"}
    assert names(personas["manager"]) == {"of owner", "of teammate", "of manager"}
    assert names(personas["other_manager"]) == {"of outsider", "of other_manager"}
    assert len(names(personas["admin"])) == 5


def test_deleted_leads_are_not_listed(owner):
    lead = make_lead(owner, title="Gone")
    make_lead(owner, title="Here")
    services.lead_delete(actor=owner, lead=lead, version=1)
    assert names(owner) == {"Here"}


def test_search_matches_every_word_in_name_email_or_company(owner):
    make_lead(owner, first_name="Jan", last_name="Nowak", company_name="Acme")
    make_lead(owner, first_name="Jan", last_name="Zieliński", email="jz@globex.com")
    make_lead(owner, first_name="", last_name="", title="Big deal", company_domain="initech.io")
    assert names(owner, q="jan") == {"Jan Nowak", "Jan Zieliński"}
    assert names(owner, q="Jan acme") == {"Jan Nowak"}
    assert names(owner, q="GLOBEX") == {"Jan Zieliński"}
    assert names(owner, q="initech") == {"Big deal"}
    assert names(owner, q="nobody") == set()


def test_status_filter_takes_one_or_several(owner):
    make_lead(owner, title="new")
    make_lead(owner, title="mql", status="mql")
    make_lead(owner, title="dq", status="disqualified", disqualified_reason="spam")
    assert names(owner, status="mql") == {"mql"}
    assert names(owner, status="mql, new") == {"mql", "new"}
    assert names(owner, status="SQL") == set()


def test_source_campaign_owner_and_score_filters(manager, owner, teammate):
    a = make_lead(owner, title="a", source="event", campaign="Spring Fair")
    make_lead(teammate, title="b", source="referral", campaign="Other")
    Lead.objects.filter(pk=a.pk).update(score=25)
    assert names(manager, source="event") == {"a"}
    assert names(manager, campaign="spring fair") == {"a"}
    assert names(manager, owner_id=teammate.pk) == {"b"}
    assert names(manager, min_score=20) == {"a"}
    assert names(manager, min_score=-5) == {"a", "b"}


def test_created_date_range_is_inclusive(owner):
    for day in (1, 10, 20):
        created_on(make_lead(owner, title=f"day {day}"), datetime.date(2026, 3, day))
    start, end = datetime.date(2026, 3, 10), datetime.date(2026, 3, 20)
    assert names(owner, created_from=start) == {"day 10", "day 20"}
    assert names(owner, created_to=start) == {"day 1", "day 10"}
    assert names(owner, created_from=start, created_to=start) == {"day 10"}
    assert names(owner, created_from=start, created_to=end) == {"day 10", "day 20"}


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("owner", True),
        ("teammate", False),
        ("manager", True),
        ("outsider", False),
        ("other_manager", False),
        ("admin", True),
    ],
)
def test_lead_for_restore_follows_the_ownership_rule(personas, actor, allowed):
    lead = make_lead(personas["owner"])
    services.lead_delete(actor=personas["owner"], lead=lead, version=1)
    if allowed:
        assert access.manageable_or_404(Lead, user=personas[actor], pk=lead.pk).pk == lead.pk
    else:
        with pytest.raises(NotFound):
            access.manageable_or_404(Lead, user=personas[actor], pk=lead.pk)


def test_lead_for_restore_of_a_missing_lead_is_not_found(admin):
    with pytest.raises(NotFound):
        access.manageable_or_404(Lead, user=admin, pk=424242)
