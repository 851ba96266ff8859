"""One benchmark run against the database in DATABASE_URL (started by run.py, one per database).

Migrates, loads the demo data (timed), then times API requests in-process with
Django's test client and a bearer token: server time without the network. The
results go to the JSON file named by --out.
"""

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import analytics_scenarios  # beside this file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    result: dict[str, Any] = {"database": database_name(), "version": database_version()}
    result.update(load(args.deals, args.seed))
    result["endpoints"] = measure_requests(args.repeat, args.warmup, args.seed)
    args.out.write_text(json.dumps(result, indent=2))


def database_name() -> str:
    from django.db import connection

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    return names.get(connection.vendor, connection.vendor)


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT 1")
        return str(cursor.fetchone()[0]).split()[0]


def load(deals: int, seed: int) -> dict[str, Any]:
    """Migrate and generate, timing three parts apart: the setup (users, pipelines), the
    deals themselves, and what generate does once they are in (planner statistics,
    summaries rebuilt from the history)."""
    from django.core.management import call_command

    from lejek.demo.generate import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    marks: dict[str, float] = {}
    last_report = [0.0]

    def progress(step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if step == "deals" and done == 0:
            marks["deals_started"] = now
        if step == "deals" and done == total:
            marks["deals_done"] = now
        if now - last_report[0] > 5 or done == total:
            last_report[0] = now
            print(f"  {database_name()}: {step} {done:,}/{total:,}", file=sys.stderr, flush=True)

    counts = generate(deals=deals, seed=seed, progress=progress)
    finished = time.perf_counter()
    deals_done = marks.get("deals_done", finished)
    deals_seconds = deals_done - marks.get("deals_started", migrated)
    return {
        "deals": deals,
        "rows": sum(counts.values()),
        "counts": counts,
        "migrate_s": migrated - started,
        "setup_s": marks.get("deals_started", finished) - migrated,
        "deals_s": deals_seconds,
        "finish_s": finished - deals_done,
        "load_s": finished - migrated,
        "deals_per_s": deals / deals_seconds if deals_seconds > 0 else None,
    }


def stats(samples_ns: list[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    p90 = ms[min(len(ms) - 1, max(0, round(0.9 * len(ms)) - 1))]  # nearest rank
    return {"median_ms": statistics.median(ms), "p90_ms": p90, "min_ms": ms[0], "n": len(ms)}


def measure_requests(repeat: int, warmup: int, seed: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lejek.accounts import services as account_services
    from lejek.accounts.models import User

    admin = User.objects.filter(role=User.Role.ADMIN).order_by("id").first()
    assert admin is not None, "the demo data has no administrator"
    _, key = account_services.token_issue(user=admin, name="benchmark")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    rng = random.Random(seed)
    results = []
    for name, path, call in endpoints(client, rng) + analytics_scenarios.scenarios(
        client, admin, Unavailable
    ):
        try:
            for _ in range(warmup):
                call()
            samples = []
            for _ in range(repeat):
                begin = time.perf_counter_ns()
                call()
                samples.append(time.perf_counter_ns() - begin)
            with CaptureQueriesContext(connection) as queries:
                call()
            results.append({"name": name, "path": path, **stats(samples), "queries": len(queries)})
        except Unavailable as exc:
            results.append({"name": name, "path": path, "error": str(exc)})
    return results


class Unavailable(Exception):
    """An endpoint did not answer as expected, so it is reported instead of timed."""


def endpoints(client: Any, rng: random.Random) -> list[tuple[str, str, Callable[[], Any]]]:
    """(name, path shown, a callable doing one request and checking its answer)."""
    from django.db.models import Count

    from lejek.contacts.models import Organization
    from lejek.pipelines.models import Deal, Stage

    def get(path: str, **params: Any) -> Any:
        response = client.get(path, query_params=params or None)
        if response.status_code != 200:
            raise Unavailable(f"GET {path} answered {response.status_code}")
        return response.json()

    org_ids = sample_ids(Organization, rng)
    deal_ids = sample_ids(Deal, rng)
    # The pipeline with the most deals: the filter that has the most rows to search.
    busiest = (
        Deal.objects.values("pipeline_id").annotate(n=Count("id")).order_by("-n", "pipeline_id")
    ).first()
    pipeline_id = busiest["pipeline_id"] if busiest else 0
    cycle = {"org": 0, "deal": 0}

    def next_id(kind: str, ids: list[int]) -> int:
        cycle[kind] += 1
        return ids[cycle[kind] % len(ids)]

    def filtered() -> Any:
        body = get("/api/v1/deals", pipeline_id=pipeline_id, status="open", page_size=50)
        if any(item["pipeline"]["id"] != pipeline_id for item in body["items"]):
            raise Unavailable("the pipeline filter was not applied")
        return body

    return [
        (
            "organization list",
            "GET /api/v1/organizations?page_size=50",
            lambda: get("/api/v1/organizations", page_size=50),
        ),
        (
            "organization detail",
            "GET /api/v1/organizations/{id}",
            lambda: get(f"/api/v1/organizations/{next_id('org', org_ids)}"),
        ),
        ("deal list", "GET /api/v1/deals?page_size=50", lambda: get("/api/v1/deals", page_size=50)),
        (
            "deal list by pipeline and status",
            "GET /api/v1/deals?pipeline_id=…&status=open&page_size=50",
            filtered,
        ),
        (
            "deal detail",
            "GET /api/v1/deals/{id}",
            lambda: get(f"/api/v1/deals/{next_id('deal', deal_ids)}"),
        ),
        ("deal stage move", "POST /api/v1/deals/{id}/move", mover(client, Deal, Stage)),
    ]


def sample_ids(model: Any, rng: random.Random, size: int = 100) -> list[int]:
    """Ids spread over the table (not just the newest rows), drawn without reading them all."""
    from django.db.models import Max, Min

    bounds = model.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return [0]
    picks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(size * 2)]
    found = list(model.objects.filter(id__in=picks).values_list("id", flat=True))
    return sorted(found)[:size] or [bounds["low"]]


def mover(client: Any, deal_model: Any, stage_model: Any) -> Callable[[], Any]:
    """Moves one open deal back and forth between two stages that are not the last."""
    state: dict[str, Any] = {}

    def setup() -> None:
        for deal in deal_model.objects.filter(status="open").order_by("id")[:500]:
            stages = list(
                stage_model.objects.active()
                .filter(pipeline_id=deal.pipeline_id)
                .order_by("order", "id")
                .values_list("id", flat=True)
            )
            # Two early stages of a pipeline with at least three: never the winning one.
            if len(stages) >= 3 and deal.stage_id in stages[:2]:
                first = stages.index(deal.stage_id)
                state.update(id=deal.pk, version=deal.version, stages=stages[:2], i=first)
                return
        raise Unavailable("no open deal in an early stage of a pipeline with three stages")

    def move() -> Any:
        if not state:
            setup()
        state["i"] += 1
        payload = {"stage_id": state["stages"][state["i"] % 2], "version": state["version"]}
        response = client.post(
            f"/api/v1/deals/{state['id']}/move", data=payload, content_type="application/json"
        )
        if response.status_code != 200:
            raise Unavailable(f"move answered {response.status_code}: {response.content[:200]!r}")
        body = response.json()
        state["version"] = body["version"]
        return body

    return move


if __name__ == "__main__":
    main()
