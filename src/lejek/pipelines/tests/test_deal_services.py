from decimal import Decimal

import pytest

from lejek.contacts import services as contact_services
from lejek.core.errors import Conflict, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.pipelines import services
from lejek.pipelines.models import Deal, StageChange, StatusChange
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin):
    return factories.pipeline(admin)


def test_create_starts_in_first_stage_with_history(owner, pipeline):
    deal = factories.deal(owner, pipeline, amount="1000.00", currency="usd")
    assert deal.stage.name == "Discovery call"
    assert deal.currency == "USD"
    change = StageChange.objects.get(deal=deal)
    assert (change.from_stage_id, change.to_stage_id, change.reason, change.actor_id) == (
        None,
        deal.stage_id,
        "created",
        owner.pk,
    )
    assert change.at == deal.stage_entered_at == deal.created_at
    assert (
        AuditEntry.objects.filter(entity_type="deal", entity_id=deal.pk, action="created").count()
        == 1
    )


def test_golden_1_stage_weighted_value(owner, pipeline):
    """SPEC golden example 1: a 1,000 USD deal in Product trial (60 %) is worth 600."""
    trial = factories.stage(pipeline, "Product trial")
    deal = factories.deal(
        owner, pipeline, stage_id=trial.pk, amount=Decimal("1000"), currency="USD"
    )
    assert deal.weighted_amount == Decimal("600.00")


def test_create_validates_references(owner, outsider, pipeline, admin):
    with pytest.raises(ValidationFailed) as exc:
        services.deal_create(actor=owner, data={"title": "X", "pipeline_id": 999999})
    assert "pipeline_id" in exc.value.fields
    other = factories.pipeline(admin, "seven_stage")
    with pytest.raises(ValidationFailed) as exc:
        factories.deal(owner, pipeline, stage_id=factories.stage(other, "Meeting").pk)
    assert "stage_id" in exc.value.fields
    theirs = contact_services.organization_create(actor=outsider, data={"name": "Theirs"})
    with pytest.raises(ValidationFailed) as exc:
        factories.deal(owner, pipeline, organization_id=theirs.pk)
    assert "organization_id" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        factories.deal(owner, pipeline, currency="XXX")
    assert "currency" in exc.value.fields
    assert Deal.objects.count() == 0


def test_move_writes_one_history_row_and_bumps_version(owner, pipeline):
    deal = factories.deal(owner, pipeline)
    demo = factories.stage(pipeline, "Product demo")
    moved = services.deal_move_to_stage(actor=owner, deal=deal, stage=demo, version=1, note="call")
    assert moved.version == 2
    deal.refresh_from_db()
    assert deal.stage_id == demo.pk and deal.version == 2
    changes = list(StageChange.objects.filter(deal=deal))
    assert len(changes) == 2
    assert (changes[1].from_stage.name, changes[1].to_stage.name, changes[1].note) == (
        "Discovery call",
        "Product demo",
        "call",
    )
    assert deal.stage_entered_at == changes[1].at
    entry = AuditEntry.objects.get(entity_id=deal.pk, action="stage_changed")
    assert (entry.old_value, entry.new_value, entry.actor_id) == (
        "Discovery call",
        "Product demo",
        owner.pk,
    )


def test_stale_move_is_rejected_and_changes_nothing(owner, pipeline):
    deal = factories.deal(owner, pipeline)
    demo = factories.stage(pipeline, "Product demo")
    trial = factories.stage(pipeline, "Product trial")
    services.deal_move_to_stage(
        actor=owner, deal=Deal.objects.get(pk=deal.pk), stage=demo, version=1
    )
    with pytest.raises(VersionConflict) as exc:
        services.deal_move_to_stage(actor=owner, deal=deal, stage=trial, version=1)
    assert exc.value.current_version == 2
    deal.refresh_from_db()
    assert deal.stage_id == demo.pk
    assert StageChange.objects.filter(deal=deal).count() == 2


def test_move_to_current_stage_is_a_no_op(owner, pipeline):
    deal = factories.deal(owner, pipeline)
    services.deal_move_to_stage(actor=owner, deal=deal, stage=deal.stage, version=1)
    assert StageChange.objects.filter(deal=deal).count() == 1
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_move_to_other_pipeline_changes_pipeline(owner, pipeline, admin):
    other = factories.pipeline(admin, "seven_stage")
    deal = factories.deal(owner, pipeline)
    meeting = factories.stage(other, "Meeting")
    services.deal_move_to_stage(actor=owner, deal=deal, stage=meeting, version=1)
    deal.refresh_from_db()
    assert (deal.pipeline_id, deal.stage_id) == (other.pk, meeting.pk)
    assert StageChange.objects.filter(deal=deal).last().pipeline_id == other.pk


def test_won_lost_reopen_history(owner, pipeline):
    deal = factories.deal(owner, pipeline, amount="2500.00", currency="EUR")
    services.deal_mark_won(actor=owner, deal=deal, version=1)
    assert deal.status == "won" and deal.closed_at is not None
    with pytest.raises(Conflict):
        services.deal_move_to_stage(
            actor=owner, deal=deal, stage=factories.stage(pipeline, "Won"), version=2
        )
    with pytest.raises(Conflict):
        services.deal_mark_lost(actor=owner, deal=deal, version=2, lost_reason="x")
    services.deal_reopen(actor=owner, deal=deal, version=2)
    assert deal.status == "open" and deal.closed_at is None
    services.deal_mark_lost(
        actor=owner,
        deal=deal,
        version=3,
        lost_reason="Too expensive",
        objection_tags=["price_value", "price_value", "risk"],
    )
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.objection_tags, deal.version) == (
        "lost",
        "Too expensive",
        ["price_value", "risk"],
        4,
    )
    rows = list(StatusChange.objects.filter(deal=deal).values_list("from_status", "to_status"))
    assert rows == [("open", "won"), ("won", "open"), ("open", "lost")]
    first = StatusChange.objects.filter(deal=deal).first()
    assert (first.amount, first.currency) == (Decimal("2500.00"), "EUR")
    assert AuditEntry.objects.filter(entity_id=deal.pk, action="status_changed").count() == 3


def test_lose_needs_reason_and_known_tags(owner, pipeline):
    deal = factories.deal(owner, pipeline)
    with pytest.raises(ValidationFailed) as exc:
        services.deal_mark_lost(actor=owner, deal=deal, version=1, lost_reason="  ")
    assert "lost_reason" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.deal_mark_lost(
            actor=owner, deal=deal, version=1, lost_reason="x", objection_tags=["bogus"]
        )
    assert "objection_tags" in exc.value.fields
    assert Deal.objects.get(pk=deal.pk).status == "open"
    assert not StatusChange.objects.exists()


def test_update_audits_each_field_and_people(owner, pipeline):
    deal = factories.deal(owner, pipeline, amount="100.00")
    person = contact_services.person_create(actor=owner, data={"last_name": "Kowalski"})
    services.deal_update(
        actor=owner,
        deal=deal,
        data={"amount": Decimal("150.5"), "title": "Bigger", "person_ids": [person.pk]},
        version=1,
    )
    deal.refresh_from_db()
    assert deal.version == 2
    assert list(deal.people.all()) == [person]
    changes = {
        e.field: (e.old_value, e.new_value)
        for e in AuditEntry.objects.filter(entity_id=deal.pk, action="updated")
    }
    assert changes == {
        "amount": ("100.00", "150.50"),
        "title": ("Deal", "Bigger"),
        "people": ("[]", f"[{person.pk}]"),
    }
    # Only people: still one version step.
    services.deal_update(actor=owner, deal=deal, data={"person_ids": []}, version=2)
    assert Deal.objects.get(pk=deal.pk).version == 3
    with pytest.raises(VersionConflict):
        services.deal_update(actor=owner, deal=deal, data={"title": "Stale"}, version=2)


def test_delete_and_restore(owner, pipeline):
    deal = factories.deal(owner, pipeline)
    services.deal_delete(actor=owner, deal=deal, version=1)
    assert not Deal.objects.visible_to(owner).filter(pk=deal.pk).exists()
    services.deal_restore(actor=owner, deal=deal)
    assert Deal.objects.visible_to(owner).filter(pk=deal.pk).exists()
    actions = list(
        AuditEntry.objects.filter(entity_id=deal.pk, entity_type="deal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "deleted", "restored"]


def test_rejected_update_leaves_the_callers_object_as_it_was(owner, pipeline):
    deal = factories.deal(owner, pipeline, amount="100.00")
    services.deal_update(
        actor=owner, deal=Deal.objects.get(pk=deal.pk), data={"title": "New"}, version=1
    )
    with pytest.raises(VersionConflict):
        services.deal_update(
            actor=owner, deal=deal, data={"title": "Stale", "amount": 5}, version=1
        )
    assert (deal.title, deal.amount, deal.version) == ("Deal", Decimal("100.00"), 1)
    with pytest.raises(ValidationFailed):
        services.deal_update(actor=owner, deal=deal, data={"title": ""}, version=1)
    assert deal.title == "Deal"
