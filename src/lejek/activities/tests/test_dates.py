"""The activity dates kept on deals and leads, and a lead's first outbound touch."""

import datetime

import pytest
from django.utils import timezone

from lejek.activities import services
from lejek.activities.tests.conftest import local
from lejek.core.models import AuditEntry
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db

PAST = local(2024, 3, 1, 10)
LATER_PAST = local(2024, 3, 5, 16)


def create(actor, **data):
    return services.activity_create(actor=actor, data=data)


def dates(record):
    fresh = type(record).objects.get(pk=record.pk)
    return fresh.last_activity_at, fresh.next_activity_at


def test_open_activities_set_next_and_done_ones_set_last(owner, deal):
    assert dates(deal) == (None, None)
    late = create(owner, kind="call", deal_id=deal.pk, due_at=local(2030, 5, 2, 9))
    create(owner, kind="meeting", deal_id=deal.pk, due_at=local(2030, 5, 1, 9))
    assert dates(deal) == (None, local(2030, 5, 1, 9))
    create(owner, kind="email", deal_id=deal.pk, done_at=PAST)
    assert dates(deal) == (PAST, local(2030, 5, 1, 9))
    assert late.pk  # the later one is still open


def test_note_counts_as_activity_by_its_creation_time(owner, deal):
    note = create(owner, kind="note", body="Budget approved", deal_id=deal.pk)
    assert dates(deal) == (note.created_at, None)


def test_complete_moves_next_on_and_sets_last(owner, deal):
    first = create(owner, kind="call", deal_id=deal.pk, due_at=local(2030, 5, 1, 9))
    create(owner, kind="meeting", deal_id=deal.pk, due_at=local(2030, 5, 3, 9))
    services.activity_complete(actor=owner, activity=first, version=1, done_at=LATER_PAST)
    assert dates(deal) == (LATER_PAST, local(2030, 5, 3, 9))


def test_delete_and_reopen_recompute(owner, deal):
    call = create(owner, kind="call", deal_id=deal.pk, due_at=local(2030, 5, 1, 9))
    services.activity_complete(actor=owner, activity=call, version=1, done_at=PAST)
    assert dates(deal) == (PAST, None)
    services.activity_reopen(actor=owner, activity=call, version=2)
    assert dates(deal) == (None, local(2030, 5, 1, 9))
    services.activity_delete(actor=owner, activity=call, version=3)
    assert dates(deal) == (None, None)


def test_rescheduling_and_moving_to_another_deal_refresh_both(owner, deal, make_deal):
    other = make_deal(owner, title="Other")
    call = create(owner, kind="call", deal_id=deal.pk, due_at=local(2030, 5, 1, 9))
    services.activity_update(
        actor=owner, activity=call, data={"due_at": local(2030, 6, 1, 9)}, version=1
    )
    assert dates(deal) == (None, local(2030, 6, 1, 9))
    services.activity_update(actor=owner, activity=call, data={"deal_id": other.pk}, version=2)
    assert dates(deal) == (None, None)
    assert dates(other) == (None, local(2030, 6, 1, 9))


def test_dates_are_not_user_edits(owner, deal):
    before = Deal.objects.get(pk=deal.pk)
    create(owner, kind="call", deal_id=deal.pk, done_at=PAST, due_at=PAST)
    after = Deal.objects.get(pk=deal.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert after.last_activity_at == PAST
    assert not AuditEntry.objects.filter(entity_type="deal").exists()


def test_lead_dates(owner, lead):
    create(owner, kind="task", lead_id=lead.pk, due_at=local(2030, 1, 2, 8))
    create(owner, kind="meeting", lead_id=lead.pk, done_at=PAST)
    assert dates(lead) == (PAST, local(2030, 1, 2, 8))
    fresh = Lead.objects.get(pk=lead.pk)
    assert fresh.version == 1 and fresh.first_outbound_at is None  # a meeting is no outreach


def test_first_outbound_touch_is_kept(owner, lead):
    create(owner, kind="email", lead_id=lead.pk, direction="inbound", done_at=PAST)
    create(owner, kind="call", lead_id=lead.pk, due_at=local(2030, 1, 1))  # planned, not done
    assert Lead.objects.get(pk=lead.pk).first_outbound_at is None
    email = create(owner, kind="email", lead_id=lead.pk, due_at=local(2030, 1, 1))
    services.activity_complete(actor=owner, activity=email, version=1, done_at=LATER_PAST)
    assert Lead.objects.get(pk=lead.pk).first_outbound_at == LATER_PAST
    create(owner, kind="call", lead_id=lead.pk, done_at=timezone.now())
    lead.refresh_from_db()
    assert lead.first_outbound_at == LATER_PAST
    assert lead.response_time_seconds == (LATER_PAST - lead.created_at).total_seconds()


def test_first_outbound_touch_is_not_overwritten(owner, make_lead):
    earlier = timezone.now() - datetime.timedelta(days=3)
    lead = make_lead(owner, first_outbound_at=earlier)
    create(owner, kind="email", lead_id=lead.pk, done_at=PAST)
    assert Lead.objects.get(pk=lead.pk).first_outbound_at == earlier


def test_activity_on_one_lead_leaves_others_alone(owner, lead, make_lead):
    other = make_lead(owner, title="Other")
    create(owner, kind="email", lead_id=lead.pk, done_at=PAST)
    assert Lead.objects.get(pk=other.pk).first_outbound_at is None
    assert dates(other) == (None, None)
