"""Lejek benchmarks: load demo data into a fresh database and time the main API requests.

    ./lejek bench [--deals 100000] [--database sqlite|postgres|both] [--repeat 200]
                  [--scenarios api,analytics,...] [--database-url URL] [--record]

Each database gets its own process (settings are per process) and a throwaway
database: a temporary SQLite file with the project's PRAGMAs, or a PostgreSQL
database `lejek_bench_<pid>` created and dropped here. `--database-url` (may be
repeated) uses a kept database instead — migrated, loaded with demo data only
when it has no deals — so a million deals are loaded once for many runs. The figures are printed
as Markdown; `--record` also appends them, with the machine, to
docs/benchmarks.md. These are measurements, never pass/fail checks.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000, help="demo deals to load")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LEJEK_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="a PostgreSQL server to create the throwaway database on (LEJEK_BENCH_POSTGRES)",
    )
    parser.add_argument(
        "--scenarios", default="", help="comma-separated groups of benchmarks/scenarios (all)"
    )
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        help="a kept database to use (repeatable); demo data is loaded only when it has none",
    )
    parser.add_argument("--record", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.deals < 0 or args.repeat < 1 or args.warmup < 0:
        parser.error("--deals and --warmup must be >= 0, --repeat >= 1")

    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    databases = [(url.split(":", 1)[0], kept(url)) for url in args.database_url] or [
        (kind, sqlite_database() if kind == "sqlite" else postgres_database(args.postgres_url))
        for kind in kinds
    ]
    results = []
    for kind, database in databases:
        try:
            with database as url:
                print(f"{kind}: loading {args.deals:,} deals …", file=sys.stderr, flush=True)
                results.append(run_worker(url, args))
        except (OSError, subprocess.CalledProcessError, DatabaseUnavailable) as exc:
            print(f"benchmark on {kind} failed: {exc}", file=sys.stderr)
            return 1
    report = render(results, args)
    print(report)
    if args.record:
        record(report)
        print(f"Recorded in {DOC.relative_to(ROOT)}.", file=sys.stderr)
    return 0


@contextmanager
def kept(url: str) -> Iterator[str]:
    yield url


@contextmanager
def sqlite_database() -> Iterator[str]:
    directory = Path(tempfile.mkdtemp(prefix="lejek-bench-"))
    try:
        yield f"sqlite:///{directory / 'bench.sqlite3'}"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class DatabaseUnavailable(Exception):
    pass


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    import psycopg

    name = f"lejek_bench_{os.getpid()}"
    parts = urlsplit(server_url)
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        where = parts.hostname or "localhost"
        raise DatabaseUnavailable(f"cannot create a database on {where}: {exc}") from exc
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_worker(url: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lejek-bench-data-") as data_dir:
        out = Path(data_dir) / "result.json"
        (Path(data_dir) / "static").mkdir()  # where the settings expect collected static files
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LEJEK_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "0",
            "API_REQUESTS_PER_MINUTE": "0",  # thousands of timed requests from one user
        }
        env.pop("LEJEK_ENV", None)
        command = [
            sys.executable,
            str(HERE / "worker.py"),
            "--deals",
            str(args.deals),
            "--seed",
            str(args.seed),
            "--repeat",
            str(args.repeat),
            "--warmup",
            str(args.warmup),
            "--out",
            str(out),
            "--scenarios",
            args.scenarios,
        ]
        if args.database_url:
            command.append("--reuse")
        subprocess.run(command, env=env, check=True, cwd=ROOT)
        return json.loads(out.read_text())


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def render(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    loaded = [r for r in results if not r.get("reused")]
    lines = [
        f"Loading {args.deals:,} demo deals (seed {args.seed}) into an empty, migrated database:",
        "",
        "| database | rows | users + pipelines (s) | deals (s) | deals/s | after the deals (s) "
        "| total load (s) |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    if not loaded:
        lines = []
    for r in results:
        if r.get("reused"):
            lines.append(
                f"{r['database']} {r['version']}: a kept database with {r['deals']:,} deals."
            )
            continue
        lines.append(
            f"| {r['database']} {r['version']} | {r['rows']:,} | {fmt(r['setup_s'])} | "
            f"{fmt(r['deals_s'])} | {fmt(r['deals_per_s'], 0)} | {fmt(r.get('finish_s'))} | "
            f"{fmt(r['load_s'])} |"
        )
    lines += [
        "",
        f"API requests in-process (server time, no network), {args.repeat} timed after "
        f"{args.warmup} warm-up requests each, as an administrator with a bearer token:",
        "",
        "| request | database | median (ms) | p90 (ms) | min (ms) | queries |",
        "|---|---|--:|--:|--:|--:|",
    ]
    # Every request any run measured, in the order first seen; each row says what happened.
    paths: dict[str, str] = {}
    for r in results:
        for e in r["endpoints"]:
            paths.setdefault(e["name"], e["path"])
    for name in paths:
        for r in results:
            e = next((x for x in r["endpoints"] if x["name"] == name), None)
            if e is None or "error" in e:
                why = e["error"] if e else "not in this run"
                lines.append(f"| {name} | {r['database']} | not measured: {why} | | | |")
                continue
            lines.append(
                f"| {name} | {r['database']} | {fmt(e['median_ms'], 2)} | {fmt(e['p90_ms'], 2)} "
                f"| {fmt(e['min_ms'], 2)} | {e['queries']} |"
            )
    lines += ["", "Requests: " + "; ".join(f"{n}: `{p}`" for n, p in paths.items()) + "."]
    jobs = [(r["database"], j) for r in results for j in r.get("jobs", [])]
    if jobs:
        lines += [
            "",
            "Batch work and throughput, each measured once:",
            "",
            "| job | database | value | unit | detail |",
            "|---|---|--:|---|---|",
        ]
        for database, j in jobs:
            if "error" in j:
                lines.append(f"| {j['name']} | {database} | not measured: {j['error']} | | |")
            else:
                value = j["value"]
                shown = fmt(value, 1 if isinstance(value, float) and value < 100 else 0)
                lines.append(
                    f"| {j['name']} | {database} | {shown} | {j['unit']} | {j.get('detail', '')} |"
                )
    return "\n".join(lines)


def machine() -> str:
    import django

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{cpus} CPUs (`nproc`), {cpu}, {ram} RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}; "
        f"load average at the end {load}"
    )


def record(report: str) -> None:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["./lejek bench", *sys.argv[1:]])
    section = f"\n## {when}\n\nMachine: {machine()}.\n\nCommand: `{command}`\n\n{report}\n"
    if not DOC.exists():
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text("# Benchmarks\n")
    with DOC.open("a") as handle:
        handle.write(section)


if __name__ == "__main__":
    sys.exit(main())
