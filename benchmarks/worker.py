"""One benchmark run against the database in DATABASE_URL (started by run.py, one per database).

Migrates, loads the demo data (timed; with --reuse only when the database has no
deals yet), then runs the scenarios of `benchmarks/scenarios/`: each module's
`requests(client, admin, unavailable)` are timed in-process with Django's test
client and a bearer token (server time without the network), then each module's
`jobs(admin, unavailable)` run once (batch work and throughput, which may change
the data). The results go to the JSON file named by --out.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import scenarios  # the package beside this file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scenarios", default="", help="module names, comma-separated")
    parser.add_argument("--reuse", action="store_true", help="keep data already in the database")
    args = parser.parse_args()

    import django

    django.setup()
    modules = scenarios.discover({n for n in args.scenarios.split(",") if n})
    result: dict[str, Any] = {"database": database_name(), "version": database_version()}
    kept = existing() if args.reuse else {}
    result.update(kept or load(args.deals, args.seed))
    admin = administrator()
    result["endpoints"] = measure_requests(modules, admin, args.repeat, args.warmup)
    result["jobs"] = run_jobs(modules, admin)
    args.out.write_text(json.dumps(result, indent=2))


def existing() -> dict[str, Any]:
    """What a kept database already holds, after bringing its schema up to date."""
    from django.core.management import call_command

    from lejek.pipelines.models import Deal

    call_command("migrate", verbosity=0)
    deals = Deal.objects.count()
    return {"reused": True, "deals": deals} if deals else {}


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


def administrator() -> Any:
    from lejek.accounts.models import User

    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("id").first()
    assert admin is not None, "the demo data has no administrator"
    return admin


def measure_requests(
    modules: list[Any], admin: Any, repeat: int, warmup: int
) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lejek.accounts import services as account_services

    _, key = account_services.token_issue(user=admin, name="benchmark")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    calls = []
    for module in modules:
        if hasattr(module, "requests"):
            try:
                calls += module.requests(client, admin, Unavailable)
            except Unavailable as exc:
                calls.append((module.__name__, "(setup)", failing(str(exc))))
    results = []
    for name, path, call in calls:
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


def failing(message: str) -> Any:
    def call() -> Any:
        raise Unavailable(message)

    return call


def run_jobs(modules: list[Any], admin: Any) -> list[dict[str, Any]]:
    """Each module's one-off measurements, in module order; a failure is reported, not raised."""
    rows: list[dict[str, Any]] = []
    for module in modules:
        if not hasattr(module, "jobs"):
            continue
        print(f"  {database_name()}: jobs of {module.__name__}", file=sys.stderr, flush=True)
        try:
            rows += module.jobs(admin, Unavailable)
        except Unavailable as exc:
            rows.append({"name": module.__name__, "error": str(exc)})
    return rows


class Unavailable(Exception):
    """A scenario did not answer as expected, so it is reported instead of timed."""


if __name__ == "__main__":
    main()
