"""The weekly pipeline audit on a constructed pipeline: queue contents, flags, reviews."""

import datetime

import pytest

from lejek.activities import services as activity_services
from lejek.core.errors import Conflict, Forbidden
from lejek.core.models import AuditEntry
from lejek.salesops import audits, reviews, tasks
from lejek.salesops.models import AuditWeek, DealReview
from lejek.salesops.tests.helpers import History, clock, pipeline, t

pytestmark = pytest.mark.django_db

NOW = "2025-03-12"  # a Wednesday; the audit week starts on Monday 10 March


@pytest.fixture
def constructed(admin, owner, teammate, outsider):
    p = pipeline(admin)
    mine, theirs, other = History(owner, p), History(teammate, p), History(outsider, p)
    fresh = mine.deal(
        "2025-03-10", amount=1000, title="Fresh", expected_close_date=datetime.date(2025, 4, 30)
    )
    with clock(t("2025-03-10")):
        activity_services.activity_create(
            actor=owner,
            data={
                "kind": "call",
                "subject": "Follow up",
                "deal_id": fresh.pk,
                "due_at": t("2025-03-20"),
            },
        )
    old = mine.deal("2025-01-15", title="Old, no amount")  # stale, no amount, nothing next
    late = theirs.deal(
        "2025-03-01", amount=500, title="Late", expected_close_date=datetime.date(2025, 3, 1)
    )
    won = theirs.deal("2025-03-01", amount=700, title="Won")
    theirs.won(won, "2025-03-05")
    outside = other.deal("2025-03-01", amount=9, title="Other team")
    return {"fresh": fresh, "old": old, "late": late, "won": won, "outside": outside}


def test_queue_lists_every_open_deal_of_the_team_with_flags(manager, owner, constructed) -> None:
    with clock(t(NOW)):
        q = audits.queue(manager)
    titles = {item["deal"].title: item["flags"] for item in q.items}
    assert titles == {
        "Fresh": [],
        "Old, no amount": ["stale", "no_next_activity", "missing_amount"],
        "Late": ["no_next_activity", "close_date_passed"],
    }
    assert q.week_start == datetime.date(2025, 3, 10)
    assert q.counts == {
        "stale": 1,
        "no_next_activity": 2,
        "close_date_passed": 1,
        "missing_amount": 1,
    }
    assert (q.total, q.reviewed) == (3, 0)
    with clock(t(NOW)):
        own = audits.queue(owner)
        only_stale = audits.queue(manager, flag="stale")
    assert {i["deal"].title for i in own.items} == {"Fresh", "Old, no amount"}
    assert [i["deal"].title for i in only_stale.items] == ["Old, no amount"]


def test_recording_a_review_writes_history_and_moves_progress(
    manager, owner, outsider, constructed
) -> None:
    deal = constructed["old"]
    with clock(t(NOW)):
        review = reviews.review_record(
            actor=manager, deal=deal, still_qualified=False, next_action="Close as lost"
        )
        q = audits.queue(manager)
        assert (q.total, q.reviewed) == (3, 1) and q.progress == pytest.approx(1 / 3)
        # Recorded again the same week: the same review, changed, and the change logged.
        reviews.review_record(actor=owner, deal=deal, still_qualified=True, next_action="Call")
        pending = audits.queue(manager, pending_only=True)
    assert DealReview.objects.count() == 1
    assert DealReview.objects.get().still_qualified is True
    assert review.week.week_start == datetime.date(2025, 3, 10)
    entries = AuditEntry.objects.filter(
        entity_type="deal", entity_id=deal.pk, field="pipeline_review"
    )
    assert [e.new_value for e in entries.order_by("pk")] == ["not qualified", "still qualified"]
    assert AuditEntry.objects.filter(entity_type="dealreview", field="still_qualified").count() == 2
    assert "Old, no amount" not in {i["deal"].title for i in pending.items}
    with pytest.raises(Forbidden):
        reviews.review_record(actor=outsider, deal=deal, still_qualified=True)
    with pytest.raises(Conflict):
        reviews.review_record(actor=manager, deal=constructed["won"], still_qualified=True)


def test_weekly_task_opens_each_team_queue_once(manager, other_manager, constructed) -> None:
    with clock(t(NOW)):
        first = tasks.open_weekly_audits.call()
        second = tasks.open_weekly_audits.call()
    assert first == 2 and second == 0
    week = AuditWeek.objects.get(team=manager.team)
    assert week.queue_size == 3 and week.week_start == datetime.date(2025, 3, 10)
    # The managers are told through a task on their day.
    from lejek.activities.models import Activity

    reminders = Activity.objects.filter(kind="task", subject__startswith="Weekly pipeline audit")
    assert set(reminders.values_list("owner_id", flat=True)) == {manager.pk, other_manager.pk}


def test_queue_reads_a_constant_number_of_queries(
    admin, manager, owner, teammate, constructed, django_assert_max_num_queries
) -> None:
    """However many open deals and reviews: the team, its week, the deals, the reviews."""
    p = pipeline(admin)
    for rep in (owner, teammate):
        h = History(rep, p)
        for n in range(8):
            h.deal("2025-02-01", amount=100 + n, title=f"More {rep.username} {n}")
    with clock(t(NOW)):
        reviews.review_record(actor=manager, deal=constructed["old"], still_qualified=True)
        reviews.review_record(actor=manager, deal=constructed["late"], still_qualified=False)
        with django_assert_max_num_queries(4):
            q = audits.queue(manager)
        with django_assert_max_num_queries(4):
            audits.queue(admin, team_id=manager.team_id, flag="stale", pending_only=True)
    assert (q.total, q.reviewed) == (19, 2)
    assert all(item["deal"].stage.name and item["deal"].owner.username for item in q.items)
