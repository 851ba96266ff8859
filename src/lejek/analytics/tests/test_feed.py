"""Changes made outside the deal services reach the metrics through the audit log."""

import datetime
from decimal import Decimal

import pytest

from lejek.activities import services as activity_services
from lejek.analytics import feed
from lejek.analytics.models import DealSummary, Rollup, SyncState
from lejek.analytics.tests.helpers import History, report
from lejek.leads import services as lead_services
from lejek.pipelines import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin):
    return services.pipeline_create(actor=admin, template="probability_weighted")


def this_quarter(user, **kwargs):
    return report(user, **kwargs)["current"]


def test_activities_and_leads_written_by_their_services_are_counted(admin, owner, pipeline):
    deal = services.deal_create(actor=owner, data={"title": "D", "pipeline_id": pipeline.pk})
    email = activity_services.activity_create(
        actor=owner, data={"kind": "email", "deal_id": deal.pk, "done_at": None}
    )
    lead = lead_services.lead_create(actor=owner, data={"title": "L", "source": "event"})
    m = this_quarter(admin)
    assert (m["outreach_sent"], m["new_leads"]) == (0, 1)
    activity_services.activity_complete(actor=owner, activity=email, version=email.version)
    activity_services.activity_create(
        actor=owner,
        data={"kind": "email", "lead_id": lead.pk, "direction": "outbound", "done_at": None},
    )
    m = this_quarter(admin)
    assert m["outreach_sent"] == 1  # the lead's email is not done yet
    assert m["prospects_contacted"] == 1  # the deal, first touched now
    email.refresh_from_db()
    activity_services.activity_delete(actor=owner, activity=email, version=email.version)
    assert this_quarter(admin)["outreach_sent"] == 0
    lead.refresh_from_db()
    lead_services.lead_delete(actor=owner, lead=lead, version=lead.version)
    assert this_quarter(admin)["new_leads"] == 0


def test_plain_deal_edits_move_the_deal_between_owners_and_sources(
    admin, owner, teammate, pipeline
):
    deal = History(owner, pipeline).deal("2025-01-05", amount=100, currency="USD")
    assert this_quarter(admin, start="2025-01", owner_id=owner.pk)["new_deals"] == 1
    services.deal_update(
        actor=admin,
        deal=deal,
        data={"owner_id": teammate.pk, "source": "referral", "amount": Decimal(250)},
        version=deal.version,
    )
    assert this_quarter(admin, start="2025-01", owner_id=owner.pk)["new_deals"] == 0
    moved = this_quarter(admin, start="2025-01", owner_id=teammate.pk, source="referral")
    assert moved["new_deals"] == 1
    assert report(admin, "2025-01")["current"]["pipeline_value"] == 250


def test_reordering_stages_changes_what_counts_as_reached(admin, owner, pipeline):
    h = History(owner, pipeline)
    deal = h.deal("2025-01-05")
    h.move(deal, "2025-01-06", 2)  # Product demo
    steps = report(admin, "2025-01")["funnels"][0]["steps"]
    assert [s["reached"] for s in steps] == [1, 1, 1, 0, 0, 0]
    ids = [s.pk for s in h.stages]
    services.stages_reorder(actor=admin, pipeline=pipeline, stage_ids=[ids[2], *ids[:2], *ids[3:]])
    steps = report(admin, "2025-01")["funnels"][0]["steps"]
    assert steps[0]["stage_id"] == ids[2]
    # It was in Discovery call, now second: it reached the first two stages.
    assert [s["reached"] for s in steps] == [1, 1, 0, 0, 0, 0]


def test_removing_a_stage_moves_its_deals_in_the_summaries(admin, owner, pipeline):
    h = History(owner, pipeline)
    deal = h.deal("2025-01-05", stage=1)
    services.stage_remove(actor=admin, stage=h.stage(1), move_to=h.stage(3))
    summary = DealSummary.objects.get(deal_id=deal.pk)
    assert (summary.stage_id, summary.furthest_stage_id) == (h.stage(3).pk, h.stage(3).pk)
    steps = report(admin, "2025-01")["funnels"][0]["steps"]
    assert len(steps) == 5
    assert [s["reached"] for s in steps] == [1, 1, 1, 0, 0]


def test_nothing_to_follow_costs_two_reads(admin, owner, pipeline, django_assert_num_queries):
    services.deal_create(actor=owner, data={"title": "D", "pipeline_id": pipeline.pk})
    feed.catch_up()
    with django_assert_num_queries(3):  # the state row, the stage layout, the newest audit id
        assert feed.catch_up() == 0
    assert SyncState.objects.count() == 1


def test_rollup_rows_that_fall_to_zero_can_be_pruned(admin, owner, pipeline):
    from lejek.analytics import rollups

    deal = History(owner, pipeline).deal("2025-01-05")
    services.deal_delete(actor=owner, deal=deal, version=deal.version)
    assert Rollup.objects.filter(n=0).exists()
    rollups.prune()
    assert not Rollup.objects.exists()
    assert datetime.date.today()  # the deal is gone from every count
