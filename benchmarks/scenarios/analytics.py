"""Analytics scenarios for the benchmark worker (issue: dashboard ≤ 300 ms, all metrics ≤ 1 s).

- the full dashboard for one pipeline and one quarter: the report the dashboard
  draws (API) and the page itself (HTML, with its charts and tables);
- every metric for every pipeline over all time (API).

The pipeline is the one with the most deals, the quarter the last complete one.
"""

import datetime
from collections.abc import Callable
from typing import Any


def requests(
    client: Any, admin: Any, unavailable: type[Exception]
) -> list[tuple[str, str, Callable[[], Any]]]:
    """(name, path shown, one checked request) for each analytics scenario.

    `unavailable` is the worker's exception for a request that did not answer as expected.
    """
    from django.db.models import Count
    from django.test import Client

    from lejek.pipelines.models import Deal

    busiest = (
        Deal.objects.values("pipeline_id").annotate(n=Count("id")).order_by("-n", "pipeline_id")
    ).first()
    pipeline_id = busiest["pipeline_id"] if busiest else 0
    today = datetime.date.today()
    quarter_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = quarter_start - datetime.timedelta(days=1)  # last day of the previous quarter
    start = datetime.date(end.year, end.month - 2, 1)
    quarter = {"pipeline_id": pipeline_id, "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}
    page = Client()
    page.force_login(admin)

    def report(**params: Any) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get("/api/v1/analytics/report", query_params=params)
            if response.status_code != 200:
                raise unavailable(f"report answered {response.status_code}")
            body = response.json()
            if not body["funnels"]:
                raise unavailable("the report has no funnel")
            return body

        return call

    def dashboard() -> Any:
        response = page.get("/analytics/", query_params={**quarter, "pipeline": pipeline_id})
        if response.status_code != 200 or b'id="figure-funnel"' not in response.content:
            raise unavailable(f"dashboard answered {response.status_code}")
        return response

    return [
        (
            "analytics report: one pipeline, one quarter",
            "GET /api/v1/analytics/report?pipeline_id=…&start=…&end=…",
            report(**quarter),
        ),
        (
            "analytics dashboard page: one pipeline, one quarter",
            "GET /analytics/?pipeline=…&start=…&end=…",
            dashboard,
        ),
        (
            "analytics report: all pipelines, all time",
            "GET /api/v1/analytics/report?all_time=true",
            report(all_time="true"),
        ),
    ]
