"""No lost updates: concurrent moves of one deal with version checks.

Threads each read the deal and move it to the other stage with the version they
read, many times over. Every accepted move must show as exactly one version
increment, one stage change and one audit entry; every other attempt must be a
409 version conflict — never an error, never a silent overwrite. Runs in a
separate process on a real database file (SQLite, WAL) or a throwaway PostgreSQL
database, like the server does.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

SCRIPT = Path(__file__).with_name("contend.py")
THREADS, MOVES = 4, 300


@pytest.fixture
def database_url(tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'contend.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    server = urlunsplit(parts._replace(path="/postgres"))
    name = f"lejek_contend_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_moves_lose_nothing(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEJEK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
        "SECRET_KEY": "contention-test-only-secret-key-0123456789-abcdefghijklmnop",
    }
    env.pop("LEJEK_ENV", None)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(THREADS), str(MOVES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    outcomes = report["outcomes"]
    accepted = outcomes.pop("accepted", 0)
    conflicts = outcomes.pop("conflicts", 0)
    assert outcomes == {}, outcomes  # nothing but accepted moves and version conflicts
    assert accepted + conflicts == report["attempts"] == THREADS * MOVES
    assert accepted > 0 and conflicts > 0  # the threads really did contend
    assert report["version_increments"] == accepted
    assert report["stage_changes"] == accepted
    assert report["stage_audit_entries"] == accepted
    assert report["stage_is_last_move"]
