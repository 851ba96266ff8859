"""The pipeline editor: administrators only; every change goes through the services."""

import pytest
from django.test import Client

from lejek.accounts.models import User
from lejek.core.models import AuditEntry
from lejek.pipelines.models import Deal, Pipeline, StageChange
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin: User) -> Pipeline:
    return factories.pipeline(admin)


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.active().order_by("order").values_list("name", flat=True))


@pytest.mark.parametrize("who", ["owner", "manager", "outsider"])
def test_editor_is_for_admins_only(personas: dict[str, User], pipeline: Pipeline, who: str) -> None:
    client = as_user(personas[who])
    stage = pipeline.stages.active().first()
    assert stage is not None
    base = f"/pipelines/editor/{pipeline.pk}"
    assert client.get("/pipelines/editor/").status_code == 403
    assert client.post("/pipelines/editor/", {"template": "seven_stage"}).status_code == 403
    assert client.get(f"{base}/").status_code == 403
    assert (
        client.post(f"{base}/stages/add/", {"new-name": "X", "new-probability": 5}).status_code
        == 403
    )
    assert client.post(f"{base}/stages/{stage.pk}/shift/", {"direction": "down"}).status_code == 403
    assert client.post(f"{base}/stages/order/", {"stage_ids": [stage.pk]}).status_code == 403
    assert Pipeline.objects.count() == 1
    assert names(pipeline)[0] == "Discovery call"


def test_admin_lists_and_creates_from_a_template(admin: User, pipeline: Pipeline) -> None:
    client = as_user(admin)
    page = client.get("/pipelines/editor/")
    assert page.status_code == 200
    assert "Probability-weighted" in page.content.decode()
    created = client.post("/pipelines/editor/", {"name": "", "template": "sales_cycle"})
    assert created.status_code == 302
    new = Pipeline.objects.get(template="sales_cycle")
    assert created["Location"] == f"/pipelines/editor/{new.pk}/"
    assert names(new)[0] == "Lead generation" and len(names(new)) == 7


def test_admin_creates_from_own_stages(admin: User) -> None:
    client = as_user(admin)
    response = client.post(
        "/pipelines/editor/", {"name": "Partners", "template": "", "stages": "Intro, 10\nDeal, 60"}
    )
    assert response.status_code == 302
    pipeline = Pipeline.objects.get(name="Partners")
    assert list(pipeline.stages.values_list("name", "probability")) == [
        ("Intro", 10),
        ("Deal", 60),
    ]
    empty = client.post("/pipelines/editor/", {"name": "Nothing", "template": ""})
    assert empty.status_code == 422
    assert "Choose a template or list at least one stage." in empty.content.decode()
    twice = client.post("/pipelines/editor/", {"name": "Twice", "stages": "A\na"})
    assert twice.status_code == 422
    bad = client.post("/pipelines/editor/", {"name": "Bad", "stages": "A, 140"})
    assert bad.status_code == 422
    assert not Pipeline.objects.filter(name__in=["Nothing", "Twice", "Bad"]).exists()


def test_rename_add_update_and_reorder(admin: User, pipeline: Pipeline) -> None:
    client = as_user(admin)
    base = f"/pipelines/editor/{pipeline.pk}"
    assert client.get(f"{base}/").status_code == 200
    client.post(f"{base}/", {"name": "Main", "is_active": "on"})
    pipeline.refresh_from_db()
    assert pipeline.name == "Main" and pipeline.is_active

    client.post(f"{base}/stages/add/", {"new-name": "Contract", "new-probability": 90})
    assert names(pipeline)[-1] == "Contract"
    dup = client.post(f"{base}/stages/add/", {"new-name": "won", "new-probability": 1}, follow=True)
    assert "Two stages cannot both be called" in dup.content.decode()

    trial = factories.stage(pipeline, "Product trial")
    client.post(
        f"{base}/stages/{trial.pk}/",
        {
            f"stage-{trial.pk}-name": "Pilot",
            f"stage-{trial.pk}-probability": 65,
            f"stage-{trial.pk}-rotting_days": 21,
        },
    )
    trial.refresh_from_db()
    assert (trial.name, trial.probability, trial.rotting_days) == ("Pilot", 65, 21)

    client.post(f"{base}/stages/{trial.pk}/shift/", {"direction": "up"})
    assert names(pipeline)[2:4] == ["Pilot", "Product demo"]

    ids = list(pipeline.stages.active().order_by("order").values_list("pk", flat=True))
    reordered = client.post(f"{base}/stages/order/", {"stage_ids": list(reversed(ids))})
    assert reordered.status_code == 200 and reordered.json()["ok"] is True
    assert names(pipeline)[0] == "Contract"
    partial = client.post(f"{base}/stages/order/", {"stage_ids": ids[:2]})
    assert partial.status_code == 422
    assert AuditEntry.objects.filter(entity_type="pipeline", field="stage_order").count() == 2


def test_remove_moves_deals_with_history(admin: User, owner: User, pipeline: Pipeline) -> None:
    client = as_user(admin)
    discovery = factories.stage(pipeline, "Discovery call")
    qualified = factories.stage(pipeline, "Qualified")
    deal = factories.deal(owner, pipeline)
    page = client.get(f"/pipelines/editor/{pipeline.pk}/").content.decode()
    assert "Its 1 deal moves to:" in page
    response = client.post(
        f"/pipelines/editor/{pipeline.pk}/stages/{discovery.pk}/remove/",
        {f"remove-{discovery.pk}-move_to": qualified.pk},
        follow=True,
    )
    assert "1 deal moved to Qualified" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == qualified
    assert StageChange.objects.filter(deal=deal, reason="stage_removed").exists()
    assert "Discovery call" not in names(pipeline)
    itself = client.post(
        f"/pipelines/editor/{pipeline.pk}/stages/{qualified.pk}/remove/",
        {f"remove-{qualified.pk}-move_to": qualified.pk},
        follow=True,
    )
    assert "Qualified" in names(pipeline)
    assert itself.status_code == 200
    assert Deal.objects.get(pk=deal.pk).stage == qualified


def test_unknown_pipeline_or_stage_is_404(admin: User, pipeline: Pipeline) -> None:
    client = as_user(admin)
    other = factories.pipeline(admin, template="seven_stage")
    foreign = other.stages.active().first()
    assert foreign is not None
    assert client.get("/pipelines/editor/999999/").status_code == 404
    response = client.post(
        f"/pipelines/editor/{pipeline.pk}/stages/{foreign.pk}/shift/", {"direction": "up"}
    )
    assert response.status_code == 404
