import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lejek.pipelines.models import Deal
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin):
    return factories.pipeline(admin)


def test_create_get_patch_flow(api_as, owner, pipeline):
    client = api_as(owner)
    created = client.post(
        "deals",
        {"title": "Licences", "pipeline_id": pipeline.pk, "amount": "1000", "currency": "usd"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"]["name"] == "Discovery call"
    assert (body["amount"], body["currency"], body["weighted_amount"]) == (
        "1000.00",
        "USD",
        "100.00",
    )
    assert body["version"] == 1 and body["status"] == "open" and body["is_stale"] is False
    deal_id = body["id"]
    patched = client.patch(f"deals/{deal_id}", {"version": 1, "next_step": "Send pricing"})
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    assert client.get(f"deals/{deal_id}").json()["next_step"] == "Send pricing"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"title", "pipeline_id"}),
        ({"title": "", "pipeline_id": 1}, {"title"}),
        ({"title": "X", "pipeline_id": "abc"}, {"pipeline_id"}),
        ({"title": "X", "pipeline_id": 1, "amount": "-5"}, {"amount"}),
        ({"title": "X", "pipeline_id": 1, "amount": "1.001"}, {"amount"}),
        ({"title": "X", "pipeline_id": 1, "amount": "1e400"}, {"amount"}),
        ({"title": "X", "pipeline_id": 1, "currency": "DOLLARS"}, {"currency"}),
        ({"title": "X", "pipeline_id": 1, "forecast_category": "maybe"}, {"forecast_category"}),
        (
            {"title": "X", "pipeline_id": 1, "expected_close_date": "2026-02-30"},
            {"expected_close_date"},
        ),
        ({"title": "X" * 201, "pipeline_id": 1}, {"title"}),
        ({"title": "X", "pipeline_id": 1, "person_ids": ["a"]}, {"person_ids.0"}),
    ],
)
def test_create_bad_input_is_422_per_field(api_as, owner, pipeline, payload, fields):
    response = api_as(owner).post("deals", payload)
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == fields
    assert Deal.objects.count() == 0


def test_create_with_unknown_pipeline_is_422(api_as, owner):
    response = api_as(owner).post("deals", {"title": "X", "pipeline_id": 12345})
    assert response.status_code == 422
    assert "pipeline_id" in response.json()["errors"]


def test_malformed_json_is_4xx(api_as, owner):
    client = api_as(owner)
    response = client.client.post(
        "/api/v1/deals", data="{not json", content_type="application/json", headers=client.headers
    )
    assert 400 <= response.status_code < 500


def test_move_win_lose_reopen_via_api(api_as, owner, pipeline):
    client = api_as(owner)
    deal = factories.deal(owner, pipeline, amount="500")
    demo = factories.stage(pipeline, "Product demo")
    moved = client.post(f"deals/{deal.pk}/move", {"stage_id": demo.pk, "version": 1})
    assert moved.status_code == 200 and moved.json()["stage"]["id"] == demo.pk
    stale = client.post(f"deals/{deal.pk}/move", {"stage_id": demo.pk + 1, "version": 1})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": stale.json()["detail"],
        "code": "version_conflict",
        "current_version": 2,
    }
    assert (
        client.post(f"deals/{deal.pk}/move", {"stage_id": 999999, "version": 2}).status_code == 404
    )
    assert (
        client.post(f"deals/{deal.pk}/lose", {"version": 2, "lost_reason": ""}).status_code == 422
    )
    assert (
        client.post(
            f"deals/{deal.pk}/lose", {"version": 2, "lost_reason": "x", "objection_tags": ["nope"]}
        ).status_code
        == 422
    )
    won = client.post(f"deals/{deal.pk}/win", {"version": 2})
    assert won.status_code == 200 and won.json()["status"] == "won"
    assert client.post(f"deals/{deal.pk}/win", {"version": 3}).status_code == 409
    assert client.post(f"deals/{deal.pk}/reopen", {"version": 3}).json()["status"] == "open"
    lost = client.post(
        f"deals/{deal.pk}/lose",
        {"version": 4, "lost_reason": "Budget cut", "objection_tags": ["price_value"]},
    )
    assert lost.json()["objection_tags"] == ["price_value"]
    history = client.get(f"deals/{deal.pk}/history").json()
    assert [c["to_stage"]["name"] for c in history["stage_changes"]] == [
        "Discovery call",
        "Product demo",
    ]
    assert [c["to_status"] for c in history["status_changes"]] == ["won", "open", "lost"]
    assert history["status_changes"][0]["amount"] == "500.00"


def test_list_filters_sort_and_constant_queries(api_as, owner, pipeline, admin):
    client = api_as(owner)
    for i in range(3):
        factories.deal(owner, pipeline, title=f"Deal {i}", amount=str(100 * (i + 1)))
    client.get("deals")
    with CaptureQueriesContext(connection) as small:
        assert client.get("deals").status_code == 200
    for i in range(15):
        factories.deal(owner, pipeline, title=f"More {i}", amount="50")
    with CaptureQueriesContext(connection) as large:
        body = client.get("deals").json()
    assert len(body["items"]) == 18
    assert len(large) == len(small)
    by_amount = client.get("deals", sort="-amount", page_size=2).json()
    assert [d["title"] for d in by_amount["items"]] == ["Deal 2", "Deal 1"]
    assert by_amount["has_next"] is True
    assert client.get("deals", q="More", page_size=100).json()["items"].__len__() == 15
    assert client.get("deals", status="won").json()["items"] == []
    assert client.get("deals", status="bogus").status_code == 422
    assert client.get("deals", sort="owner__password").status_code == 422
    assert client.get("deals", page=0).status_code == 422
    assert client.get("deals", page_size=1000).status_code == 422


def test_board_columns_count_and_weight(api_as, owner, pipeline):
    trial = factories.stage(pipeline, "Product trial")
    factories.deal(owner, pipeline, stage_id=trial.pk, amount="1000", currency="USD")
    factories.deal(owner, pipeline, stage_id=trial.pk, amount="500", currency="USD")
    factories.deal(owner, pipeline, stage_id=trial.pk, amount="200", currency="EUR")
    factories.deal(owner, pipeline, stage_id=trial.pk)
    columns = api_as(owner).get(f"pipelines/{pipeline.pk}/board").json()
    column = next(c for c in columns if c["stage"]["name"] == "Product trial")
    assert column["count"] == 4 and column["without_amount"] == 1
    assert column["totals"] == [
        {"currency": "EUR", "amount": "200.00", "weighted": "120.00"},
        {"currency": "USD", "amount": "1500.00", "weighted": "900.00"},
    ]


def test_pipeline_admin_endpoints(api_as, admin, owner, pipeline):
    client = api_as(admin)
    assert api_as(owner).post("pipelines", {"template": "seven_stage"}).status_code == 403
    assert client.post("pipelines", {"template": "nope"}).status_code == 422
    assert (
        client.post(
            "pipelines", {"name": "X", "stages": [{"name": "A", "probability": 101}]}
        ).status_code
        == 422
    )
    added = client.post(
        f"pipelines/{pipeline.pk}/stages",
        {"name": "Security review", "probability": 70, "position": 4},
    )
    assert added.status_code == 201
    renamed = client.patch(
        f"pipelines/{pipeline.pk}/stages/{added.json()['id']}", {"name": "Audit"}
    )
    assert renamed.json()["name"] == "Audit"
    ids = [s["id"] for s in client.get(f"pipelines/{pipeline.pk}").json()["stages"]]
    assert (
        client.put(f"pipelines/{pipeline.pk}/stages/order", {"stage_ids": ids[::-1]}).status_code
        == 200
    )
    assert (
        client.put(f"pipelines/{pipeline.pk}/stages/order", {"stage_ids": ids[:2]}).status_code
        == 422
    )
    assert (
        client.delete(f"pipelines/{pipeline.pk}/stages/{ids[0]}", move_to=ids[1]).status_code == 204
    )
    assert (
        client.delete(f"pipelines/{pipeline.pk}/stages/{ids[0]}", move_to=ids[1]).status_code == 404
    )
    assert client.patch(f"pipelines/{pipeline.pk}", {"name": "Renamed"}).json()["name"] == "Renamed"
    assert client.get("pipelines/99999").status_code == 404


def test_out_of_range_numbers_are_4xx_not_500(api_as, owner, pipeline):
    client = api_as(owner)
    huge = "9" * 25
    deal = factories.deal(owner, pipeline)
    assert client.get(f"deals/{huge}").status_code == 404
    assert client.get("deals", owner_id=huge).status_code == 422
    assert client.get("deals", pipeline_id="-1").status_code == 422
    assert client.delete(f"deals/{deal.pk}", version=huge).status_code == 422
    assert (
        client.post(f"deals/{deal.pk}/move", {"stage_id": int(huge), "version": 1}).status_code
        == 422
    )
    assert client.patch(f"deals/{deal.pk}", {"version": int(huge), "title": "x"}).status_code == 422
    assert client.get(f"pipelines/{pipeline.pk}/board", owner_id=huge).status_code == 422
    assert Deal.objects.get(pk=deal.pk).version == 1
