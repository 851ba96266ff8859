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
