import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lejek.activities import services, timeline
from lejek.activities.tests.conftest import local
from lejek.core.errors import NotFound
from lejek.core.models import AuditEntry
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import StageChange, StatusChange

pytestmark = pytest.mark.django_db


def create(actor, **data):
    return services.activity_create(actor=actor, data=data)


def audit(record, at, action="updated", field="", old=None, new=None, actor=None):
    return AuditEntry.objects.create(
        entity_type=record._meta.model_name,
        entity_id=record.pk,
        action=action,
        field=field,
        old_value=old,
        new_value=new,
        actor=actor,
        at=at,
    )


def page(user, record_type, record, **kwargs):
    return timeline.record_timeline(user=user, record_type=record_type, pk=record.pk, **kwargs)


def summary(result):
    return [(item["type"], item["title"]) for item in result["items"]]


@pytest.fixture
def busy_deal(owner, manager, deal, stages):
    """A deal with a bit of everything, each at a known time (day of March 2024 = order)."""
    audit(deal, local(2024, 3, 1), action="created", actor=owner)
    StageChange.objects.create(
        deal=deal,
        pipeline=stages[0].pipeline,
        to_stage=stages[0],
        reason="created",
        actor=owner,
        at=local(2024, 3, 1, 0, 1),
    )
    audit(deal, local(2024, 3, 2), field="amount", old=None, new="1000.00", actor=owner)
    create(owner, kind="call", subject="Discovery", deal_id=deal.pk, done_at=local(2024, 3, 3))
    StageChange.objects.create(
        deal=deal,
        pipeline=stages[0].pipeline,
        from_stage=stages[0],
        to_stage=stages[1],
        actor=manager,
        at=local(2024, 3, 4),
    )
    audit(deal, local(2024, 3, 4), action="stage_changed", field="stage", actor=manager)
    gone = create(owner, kind="note", body="Wrong deal", deal_id=deal.pk)
    services.activity_delete(actor=owner, activity=gone, version=1)
    StatusChange.objects.create(
        deal=deal,
        from_status="open",
        to_status="won",
        stage=stages[1],
        actor=manager,
        at=local(2024, 3, 6),
    )
    return deal


def test_deal_timeline_has_everything_newest_first(owner, busy_deal):
    result = page(owner, "deal", busy_deal)
    assert summary(result) == [
        ("status_change", "Won"),
        ("stage_change", "Moved from Qualify to Demo"),
        ("activity", "Discovery"),
        ("audit", "Updated: amount"),
        ("stage_change", "Entered stage Qualify"),
        ("audit", "Created"),
    ]
    won, moved, call, amount = result["items"][:4]
    assert (moved["old_value"], moved["new_value"], moved["field"]) == ("Qualify", "Demo", "stage")
    assert moved["actor"].username == "manager"
    assert (call["subtype"], call["direction"], call["done_at"]) == (
        "call",
        "outbound",
        local(2024, 3, 3),
    )
    assert (amount["old_value"], amount["new_value"]) == (None, "1000.00")
    assert (won["old_value"], won["new_value"]) == ("open", "won")
    assert result["has_next"] is False


def test_deal_timeline_rows_take_one_query(owner, busy_deal):
    with CaptureQueriesContext(connection) as rows_only:
        rows = list(timeline.deal_entries(busy_deal).order_by("-t_at", "t_type", "-t_id")[:50])
    assert len(rows) == 6
    assert len(rows_only) == 1
    with CaptureQueriesContext(connection) as whole:
        timeline.timeline_page(timeline.deal_entries(busy_deal), limit=50, offset=0)
    assert len(whole) == 2  # the rows, then the actors' names
    assert "UNION" in whole[0]["sql"].upper()


def test_timeline_pages_do_not_overlap(owner, busy_deal):
    first = page(owner, "deal", busy_deal, limit=4)
    second = page(owner, "deal", busy_deal, limit=4, offset=4)
    assert first["has_next"] is True and second["has_next"] is False
    assert summary(first) + summary(second) == summary(page(owner, "deal", busy_deal))


def test_timeline_needs_a_visible_record(owner, teammate, manager, outsider, admin, busy_deal):
    for user in (teammate, outsider):
        with pytest.raises(NotFound):
            page(user, "deal", busy_deal)
    for user in (owner, manager, admin):
        assert len(page(user, "deal", busy_deal)["items"]) == 6


def test_lead_timeline(owner, lead, make_lead):
    other = make_lead(owner, title="Other")
    audit(lead, local(2024, 1, 1), action="created", actor=owner)
    audit(lead, local(2024, 1, 3), field="status", old="new", new="working", actor=owner)
    create(owner, kind="email", subject="Hello", lead_id=lead.pk, done_at=local(2024, 1, 2))
    create(owner, kind="email", subject="Not this one", lead_id=other.pk, done_at=local(2024, 1, 2))
    audit(other, local(2024, 1, 5), field="status", actor=owner)
    assert summary(page(owner, "lead", lead)) == [
        ("audit", "Updated: status"),
        ("activity", "Hello"),
        ("audit", "Created"),
    ]


def test_person_timeline(owner, make_person, deal):
    person = make_person(owner)
    audit(person, local(2024, 1, 1), action="created", actor=owner)
    create(owner, kind="meeting", deal_id=deal.pk, person_id=person.pk, done_at=local(2024, 1, 4))
    create(owner, kind="call", deal_id=deal.pk, done_at=local(2024, 1, 5))  # someone else
    assert summary(page(owner, "person", person)) == [("activity", "Meeting"), ("audit", "Created")]


def test_organization_timeline_gathers_its_people_and_deals(
    owner, make_org, make_person, make_deal
):
    org, elsewhere = make_org(owner), make_org(owner, name="Elsewhere")
    worker = make_person(owner, organization=org)
    org_deal = make_deal(owner, title="Org deal", organization=org)
    audit(org, local(2024, 1, 1), action="created", actor=owner)
    create(owner, kind="call", subject="Direct", organization_id=org.pk, done_at=local(2024, 1, 2))
    create(owner, kind="call", subject="Via person", person_id=worker.pk, done_at=local(2024, 1, 3))
    create(owner, kind="call", subject="Via deal", deal_id=org_deal.pk, done_at=local(2024, 1, 4))
    create(
        owner,
        kind="call",
        subject="Unrelated",
        organization_id=elsewhere.pk,
        done_at=local(2024, 1, 5),
    )
    assert summary(page(owner, "organization", org)) == [
        ("activity", "Via deal"),
        ("activity", "Via person"),
        ("activity", "Direct"),
        ("audit", "Created"),
    ]


def test_open_activities_sit_at_their_creation_time(owner, deal):
    done = create(owner, kind="call", subject="Done", deal_id=deal.pk, done_at=local(2024, 1, 1))
    planned = create(
        owner, kind="meeting", subject="Planned", deal_id=deal.pk, due_at=local(2031, 1, 1)
    )
    items = page(owner, "deal", deal)["items"]
    assert [i["id"] for i in items] == [planned.pk, done.pk]
    assert items[0]["at"] == planned.created_at
    assert items[0]["due_at"] == local(2031, 1, 1)


def test_empty_timeline(owner, deal):
    with CaptureQueriesContext(connection) as queries:
        result = timeline.timeline_page(timeline.deal_entries(deal), limit=10, offset=0)
    assert result == {"items": [], "limit": 10, "offset": 0, "has_next": False}
    assert len(queries) == 1


def test_deal_history_from_the_pipeline_services_shows_once(owner, admin):
    pipeline = pipeline_services.pipeline_create(actor=admin, template="seven_stage")
    first, second = list(pipeline.stages.order_by("order"))[:2]
    deal = pipeline_services.deal_create(
        actor=owner, data={"title": "Big", "pipeline_id": pipeline.pk}
    )
    deal = pipeline_services.deal_move_to_stage(
        actor=owner, deal=deal, stage=second, version=deal.version
    )
    create(owner, kind="call", subject="Closing call", deal_id=deal.pk, done_at=timezone.now())
    pipeline_services.deal_mark_won(actor=owner, deal=deal, version=deal.version)
    items = page(owner, "deal", deal)["items"]
    assert sorted(summary({"items": items})) == sorted(
        [
            ("audit", "Created"),
            ("stage_change", f"Entered stage {first.name}"),
            ("stage_change", f"Moved from {first.name} to {second.name}"),
            ("activity", "Closing call"),
            ("status_change", "Won"),
        ]
    )
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
