"""Forecasting scenarios (goals: all five methods for 100k open deals over 9 months with
10,000 simulations ≤ 2 s; a 24-month backtest at 1M deals ≤ 60 s).

- `requests`: the forecast API for every open deal, 9 months ahead, every method side by
  side (the probabilistic range from 10,000 simulations per month);
- `jobs`: the backtest over the last 24 months, timed once.
"""

import time
from collections.abc import Callable
from typing import Any


def requests(
    client: Any, admin: Any, unavailable: type[Exception]
) -> list[tuple[str, str, Callable[[], Any]]]:
    def forecast() -> Any:
        response = client.get("/api/v1/forecasts/", query_params={"horizon": 9})
        if response.status_code != 200:
            raise unavailable(f"forecast answered {response.status_code}")
        body = response.json()
        totals = body["totals"]
        if len(body["months"]) != 9 or not all(len(totals[k]) == 9 for k in ("p10", "p90")):
            raise unavailable("the forecast does not cover nine months")
        if totals["open_deals"] == 0:
            raise unavailable("the forecast saw no open deals")
        return body

    return [
        (
            "forecast: five methods, 9 months, 10,000 simulations",
            "GET /api/v1/forecasts/?horizon=9",
            forecast,
        )
    ]


def jobs(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    from django.utils import timezone

    from lejek.analytics.loaders import local_date
    from lejek.forecasting import backtest, gather
    from lejek.pipelines.models import Deal

    deals = Deal.objects.count()
    started = time.perf_counter()
    try:
        found = backtest.backtest(gather.Scope(), today=local_date(timezone.now()), months=24)
    except Exception as exc:  # reported, not timed
        return [{"name": "forecast backtest, 24 months", "error": repr(exc)[:300]}]
    seconds = time.perf_counter() - started
    return [
        {
            "name": "forecast backtest, 24 months",
            "value": round(seconds, 2),
            "unit": "s",
            "detail": (
                f"{deals:,} deals; recommended: {found['recommended']}; "
                f"P10–P90 held the actual in {found['range_coverage']} of months"
            ),
        }
    ]
