"""SQLite → PostgreSQL → SQLite: a backup made on one engine restores on the other with
every table equal (row counts and checksums). Each step runs in its own process against
its own database: SQLite files in a temporary directory and a PostgreSQL database
created for the test (and dropped after it)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("backup_worker.py")
SERVER = os.environ.get("LEJEK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
pytestmark = pytest.mark.slow


def postgres_admin():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {SERVER}: {exc}")


@pytest.fixture
def postgres_url():
    name = f"lejek_bk_{os.getpid()}"
    with postgres_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        with postgres_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def step(tmp_path: Path, url: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LEJEK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
        "SECRET_KEY": "backup-cross-tests-only-secret-key-0123456789-abcdefghijklmn",
    }
    env.pop("LEJEK_ENV", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    return result["checksums"]


def test_sqlite_to_postgresql_and_back(tmp_path, postgres_url):
    first = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    second = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    original = step(tmp_path, first, "seed", "30")
    assert original["pipelines.deal"][0] == 30 and original["core.auditentry"][0] > 0

    step(tmp_path, first, "backup", str(tmp_path / "from-sqlite.jsonl.gz"))
    on_postgres = step(tmp_path, postgres_url, "restore", str(tmp_path / "from-sqlite.jsonl.gz"))
    assert on_postgres == original

    step(tmp_path, postgres_url, "backup", str(tmp_path / "from-postgres.jsonl"))
    back = step(tmp_path, second, "restore", str(tmp_path / "from-postgres.jsonl"))
    assert back == original
