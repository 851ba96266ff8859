"""The forecast page, its exports and the save button."""

from django.test import Client

from lejek.analytics.tests.helpers import clock
from lejek.forecasting.models import Snapshot
from lejek.forecasting.tests.test_api import TODAY, pipeline_with_deals


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_page_shows_methods_side_by_side(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        page = logged_in(owner).get("/forecast/?horizon=2&group_by=owner")
    assert page.status_code == 200
    text = page.content.decode()
    assert "figure-fan" in text and "Stage-weighted" in text
    assert "600.00" in text  # own deal only
    assert "1600.00" not in text


def test_exports_and_save(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    client = logged_in(admin)
    with clock(TODAY):
        csv = client.get("/forecast/export/methods.csv?horizon=1")
        xlsx = client.get("/forecast/export/teams.xlsx")
        missing = client.get("/forecast/export/nothing.csv")
        saved = client.post("/forecast/save/?horizon=2")
    assert csv.status_code == 200
    assert b"2025-06" in b"".join(csv.streaming_content)  # type: ignore[attr-defined]
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert missing.status_code == 404
    assert saved.status_code == 302
    assert Snapshot.objects.get().horizon == 2


def test_anonymous_is_sent_to_log_in(db) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/forecast/").status_code == 302


def test_run_rate_inputs_are_edited_on_the_page(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    client = logged_in(admin)
    query = "horizon=1&average_revenue=1000000&growth_rate=0.05&new_reps=5&ramp_deals=1"
    with clock(TODAY):
        page = client.get(
            f"/forecast/?{query}&average_deal_value=5000", headers={"HX-Request": "true"}
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert "1075000.00" in text  # SPEC golden example 2, from the page's inputs
    assert "<html" not in text  # htmx gets the page body only
    assert 'id="run-rate-in-use"' in text and "5 new reps" in text


def test_bad_inputs_get_a_message_per_field(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline_with_deals(admin, owner, outsider)
    with clock(TODAY):
        page = logged_in(admin).get(
            "/forecast/?growth_rate=lots&new_reps=-1&ramp_deals=5000&horizon=12",
            headers={"HX-Request": "true"},
        )
    assert page.status_code == 422
    assert page["HX-Reswap"] == "none"  # the last good numbers stay on the page
    text = page.content.decode()
    for name in ("growth_rate", "new_reps", "ramp_deals", "horizon"):
        assert f'data-error-for="{name}"' in text
    assert 'data-error-for="average_revenue"' not in text


def test_page_filters_by_owner_team_and_pipeline(admin, owner, outsider) -> None:  # type: ignore[no-untyped-def]
    pipeline = pipeline_with_deals(admin, owner, outsider)
    client = logged_in(admin)
    with clock(TODAY):
        mine = client.get(f"/forecast/?horizon=1&owner={owner.pk}&pipeline={pipeline.pk}")
        team = client.get(f"/forecast/?horizon=1&team={outsider.team_id}")
        hidden = logged_in(owner).get(f"/forecast/?owner={outsider.pk}")
        missing = client.get("/forecast/?pipeline=999999")
    assert mine.status_code == 200
    assert "600.00" in mine.content.decode() and "1600.00" not in mine.content.decode()
    assert team.status_code == 200
    assert "1600.00" in team.content.decode() and ">600.00<" not in team.content.decode()
    assert hidden.status_code == 422 and 'data-error-for="owner"' in hidden.content.decode()
    assert missing.status_code == 422 and 'data-error-for="pipeline"' in missing.content.decode()
