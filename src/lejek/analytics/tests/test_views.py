"""The dashboard page: who may see it, filters over htmx, charts, tables and exports."""

import io

import plotly
import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lejek.analytics import charts, filters, selectors
from lejek.analytics.tests.helpers import History
from lejek.pipelines import services

pytestmark = pytest.mark.django_db
URL = "/analytics/"


@pytest.fixture
def pipeline(admin):
    return services.pipeline_create(actor=admin, template="seven_stage")


@pytest.fixture
def deals(owner, outsider, pipeline):
    for user, amount in ((owner, 100), (outsider, 400)):
        h = History(user, pipeline)
        deal = h.deal("2025-01-05", amount=amount, currency="USD")
        h.move(deal, "2025-01-07", 2)
        h.won(deal, "2025-01-10")


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_needs_a_login():
    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("analytics:dashboard") == URL


def test_each_role_sees_tiles_charts_and_only_its_numbers(personas, deals):
    page = browser(personas["owner"]).get(URL, {"start": "2025-01", "end": "2025-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-metric="revenue_won"' in html
    assert "100.00 USD" in html and "500.00 USD" not in html
    for chart in ("funnel", "stage_bars", "velocity", "win_rate", "stages"):
        assert f'id="figure-{chart}"' in html
    admin_html = browser(personas["admin"]).get(URL, {"start": "2025-01"}).content.decode()
    assert "500.00 USD" in admin_html


def test_filters_refresh_the_body_over_htmx(admin, pipeline, deals):
    client = browser(admin)
    params = {"start": "2025-01", "end": "2025-03", "pipeline": pipeline.pk, "group_by": "owner"}
    response = client.get(URL, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="tiles"' in html
    assert "Owner" in html and "Outsider" in html  # the grouped table


def test_bad_filters_answer_422_with_the_message(admin):
    response = browser(admin).get(URL, {"start": "2025-13"})
    assert response.status_code == 422
    assert "YYYY-MM" in response.content.decode()


def test_a_rep_cannot_pick_someone_elses_numbers(owner, outsider):
    response = browser(owner).get(URL, {"owner": outsider.pk})
    assert response.status_code == 422


def test_csv_and_xlsx_exports_hold_the_chart_numbers(admin, pipeline, deals):
    client = browser(admin)
    params = {"start": "2025-01", "end": "2025-03", "pipeline": pipeline.pk}
    response = client.get("/analytics/export/funnel.csv", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Stage,Reached,Won")
    assert lines[1].startswith("Prospecting,2,2,1.000000,0,1.000000")
    response = client.get("/analytics/export/metrics.xlsx", params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert rows["Deals won"] == 2
    assert float(rows["Revenue won"]) == 500
    assert client.get("/analytics/export/nothing.csv").status_code == 404
    assert client.get("/analytics/export/funnel.pdf").status_code == 404


def test_figures_are_valid_plotly(admin, pipeline, deals):
    report = selectors.report(
        filters.resolve(user=admin, period=filters.period_from("2025-01", "2025-03"))
    )
    for key, figure in charts.figures(report, pipeline.pk).items():
        go.Figure(figure)  # raises on anything Plotly does not know
        assert all(isinstance(t.get("name", ""), str) for t in figure["data"]), key


def test_plotly_js_comes_from_the_installed_package(admin):
    client = browser(admin)
    url = reverse("analytics:plotly-js", args=[plotly.__version__])
    response = client.get(url)
    assert response.status_code == 200
    assert b"plotly" in response.content[:2000].lower()
    assert "immutable" in response["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert client.get(reverse("analytics:plotly-js", args=["0.0.0"])).status_code == 404


def test_page_query_count_is_constant(admin, owner, pipeline):
    client = browser(admin)
    h = History(owner, pipeline)
    counts = []
    for days in (("2025-01-05", "2025-02-05"), ("2025-01-06", "2025-02-06", "2025-03-06")):
        for day in days:
            h.won(h.deal(day, amount=10, currency="USD"), day)
        client.get(URL, {"start": "2025-01"})  # follows the new history once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"start": "2025-01"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_speaks_polish_and_russian(admin):
    client = browser(admin)
    polish = client.get(URL, headers={"Accept-Language": "pl"}).content.decode()
    assert "Wskaźnik wygranych" in polish
    russian = client.get(URL, headers={"Accept-Language": "ru"}).content.decode()
    assert "Доля выигранных" in russian
