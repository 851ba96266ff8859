"""Forecasting scenarios (goals: all five methods for 100k open deals over 9 months with
10,000 simulations ≤ 2 s; a 24-month backtest at 1M deals ≤ 60 s).

- `requests`: the forecast API for every open deal, 9 months ahead, every method side by
  side (the probabilistic range from 10,000 simulations per month);
- `jobs`: every method in process, at the database's open deals and at 100,000 open deals
  (the database's open deals repeated: `--deals 100000` has about 11,000 open), median of
  five runs after one cold run; and the backtest over the last 24 months, timed once.
"""

import statistics
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

    rows = methods_jobs()
    deals = Deal.objects.count()
    started = time.perf_counter()
    try:
        found = backtest.backtest(gather.Scope(), today=local_date(timezone.now()), months=24)
    except Exception as exc:  # reported, not timed
        return [{"name": "forecast backtest, 24 months", "error": repr(exc)[:300]}]
    seconds = time.perf_counter() - started
    return [
        *rows,
        {
            "name": "forecast backtest, 24 months",
            "value": round(seconds, 2),
            "unit": "s",
            "detail": (
                f"{deals:,} deals; recommended: {found['recommended']}; "
                f"P10–P90 held the actual in {found['range_coverage']} of months"
            ),
        },
    ]


OPEN_DEALS = 100_000
RUNS = 5


def _median(run: Callable[[], Any]) -> tuple[float, float]:
    """(the first, cold run's seconds; the median of the next RUNS)."""
    times = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def methods_jobs() -> list[dict[str, Any]]:
    from django.utils import timezone

    from lejek.analytics.loaders import local_date
    from lejek.forecasting import gather, selectors
    from lejek.forecasting.methods.winmodel import CloseTimes, train

    today = local_date(timezone.now())
    scope = gather.Scope()
    rows: list[dict[str, Any]] = []
    data = gather.load(None, scope, today)
    cold, warm = _median(lambda: selectors.forecast(None, scope, as_of=today, horizon=9))
    rows.append(
        {
            "name": "forecast: five methods, 9 months, 10,000 simulations (database's open deals)",
            "value": round(warm, 2),
            "unit": "s",
            "detail": f"{len(data.open):,} open deals; median of {RUNS}; first (cold) {cold:.2f} s",
        }
    )
    if data.open:
        base = data.open
        deals = [
            base[i % len(base)]._replace(id=i + 1) for i in range(OPEN_DEALS)
        ]  # the same deals again under new ids
        model = train(data.counts, data.priors)
        close_times = CloseTimes(data.close_days)
        inputs = selectors.suggest_inputs(data.won, data.new_reps, today)

        def compute() -> Any:
            return selectors._methods(deals, data.won, inputs, model, close_times, today, 9, 10_000)

        cold, warm = _median(compute)
        rows.append(
            {
                "name": "forecast methods in memory at 100,000 open deals, 9 months, 10,000 sims",
                "value": round(warm, 2),
                "unit": "s",
                "detail": f"reading excluded; median of {RUNS}; first {cold:.2f} s",
            }
        )
    return rows
