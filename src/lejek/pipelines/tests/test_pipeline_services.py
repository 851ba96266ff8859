import pytest

from lejek.core.errors import Forbidden, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.pipelines import services
from lejek.pipelines.models import Deal, StageChange
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db


def names(pipeline):
    return list(pipeline.stages.active().order_by("order").values_list("name", flat=True))


def test_only_admins_design_pipelines(owner, manager):
    for actor in (owner, manager):
        with pytest.raises(Forbidden):
            services.pipeline_create(actor=actor, template="seven_stage")


def test_custom_pipeline_and_validation(admin):
    pipeline = services.pipeline_create(
        actor=admin,
        name="Partners",
        stages=[{"name": "Intro", "probability": 10}, {"name": "Signed"}],
    )
    assert names(pipeline) == ["Intro", "Signed"]
    assert AuditEntry.objects.filter(
        entity_type="pipeline", entity_id=pipeline.pk, action="created"
    ).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.pipeline_create(actor=admin, name="Dup", stages=[{"name": "A"}, {"name": " a "}])
    assert "name" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.pipeline_create(actor=admin, name="Empty", stages=[])
    with pytest.raises(ValidationFailed) as exc:
        services.pipeline_create(actor=admin, template="nope")
    assert "template" in exc.value.fields


def test_add_stage_at_position_shifts_others(admin):
    pipeline = factories.pipeline(admin, "outbound_b2b")
    services.stage_add(
        actor=admin, pipeline=pipeline, data={"name": "Qualified", "probability": 15}, position=1
    )
    assert names(pipeline)[:3] == ["Cold prospect", "Qualified", "Conversation started"]
    orders = list(pipeline.stages.active().order_by("order").values_list("order", flat=True))
    assert orders == list(range(6))


def test_rename_and_probability_change_are_audited(admin):
    pipeline = factories.pipeline(admin)
    stage = factories.stage(pipeline, "Product trial")
    services.stage_update(actor=admin, stage=stage, data={"name": "Pilot", "probability": 65})
    entries = {
        e.field: (e.old_value, e.new_value)
        for e in AuditEntry.objects.filter(entity_type="stage", entity_id=stage.pk)
    }
    assert entries == {"name": ("Product trial", "Pilot"), "probability": ("60", "65")}


def test_reorder_requires_every_stage_once(admin):
    pipeline = factories.pipeline(admin, "outbound_b2b")
    ids = list(pipeline.stages.active().order_by("order").values_list("pk", flat=True))
    services.stages_reorder(actor=admin, pipeline=pipeline, stage_ids=list(reversed(ids)))
    assert names(pipeline)[0] == "Closed"
    with pytest.raises(ValidationFailed):
        services.stages_reorder(actor=admin, pipeline=pipeline, stage_ids=ids[:-1])
    assert AuditEntry.objects.filter(entity_type="pipeline", field="stage_order").count() == 1


def test_remove_stage_moves_deals_and_keeps_history(admin, owner):
    pipeline = factories.pipeline(admin)
    demo = factories.stage(pipeline, "Product demo")
    trial = factories.stage(pipeline, "Product trial")
    deals = [factories.deal(owner, pipeline, stage_id=demo.pk) for _ in range(3)]
    moved = services.stage_remove(actor=admin, stage=demo, move_to=trial)
    assert moved == 3
    for deal in deals:
        deal.refresh_from_db()
        assert deal.stage_id == trial.pk
        assert deal.version == 2
        last = StageChange.objects.filter(deal=deal).last()
        assert (last.from_stage_id, last.to_stage_id, last.reason) == (
            demo.pk,
            trial.pk,
            "stage_removed",
        )
    demo.refresh_from_db()
    assert demo.removed_at is not None
    assert "Product demo" not in names(pipeline)
    # History still names the removed stage.
    assert StageChange.objects.filter(to_stage=demo).count() == 3
    assert AuditEntry.objects.filter(entity_type="deal", action="stage_changed").count() == 3
    assert Deal.objects.filter(stage=demo).count() == 0


def test_remove_stage_needs_another_active_stage_of_same_pipeline(admin):
    pipeline = factories.pipeline(admin)
    other = factories.pipeline(admin, "seven_stage")
    stage = factories.stage(pipeline, "Qualified")
    with pytest.raises(ValidationFailed):
        services.stage_remove(actor=admin, stage=stage, move_to=stage)
    with pytest.raises(ValidationFailed):
        services.stage_remove(actor=admin, stage=stage, move_to=factories.stage(other, "Meeting"))
