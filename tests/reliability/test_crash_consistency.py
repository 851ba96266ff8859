"""Crash consistency: a process killed (SIGKILL) in the middle of a stream of moves.

The database must be intact (SQLite's integrity check) and hold no partial move:
the deal's version, its stage changes and its audit entries all say the same
number of moves, and its stage is the one the last stage change entered. Then
the work carries on from where it stopped.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

SCRIPT = Path(__file__).with_name("churn.py")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_url(tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'churn.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    server = urlunsplit(parts._replace(path="/postgres"))
    name = f"lejek_churn_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *params: object) -> list[tuple]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(sql, params).fetchall()


def moves(url: str, deal_id: int) -> dict[str, object]:
    version, stage = query(
        url, "SELECT version, stage_id FROM pipelines_deal WHERE id = %s", deal_id
    )[0]
    changes = query(
        url,
        "SELECT to_stage_id FROM pipelines_stagechange WHERE deal_id = %s ORDER BY at, id",
        deal_id,
    )
    audited = query(
        url,
        "SELECT count(*) FROM core_auditentry WHERE entity_type = 'deal' AND entity_id = %s "
        "AND action = 'stage_changed'",
        deal_id,
    )[0][0]
    return {
        "by_version": version - 1,
        "by_history": len(changes) - 1,  # the first row is the creation
        "by_audit": audited,
        "stage_matches_history": changes[-1][0] == stage,
    }


def churn_and_kill(url: str, env: dict[str, str], after: int) -> int:
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        deal_id = int(process.stdout.readline())
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = query(url, "SELECT version FROM pipelines_deal WHERE id = %s", deal_id)[0][0] - 1
            if done >= after:
                break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # in the middle of whatever it was doing
    finally:
        process.wait(timeout=30)
    return deal_id


def test_killed_mid_stream_leaves_no_partial_move(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEJEK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
        "SECRET_KEY": "crash-test-only-secret-key-0123456789-abcdefghijklmnopqrstu",
    }
    env.pop("LEJEK_ENV", None)
    deal_id = churn_and_kill(database_url, env, after=40)
    if database_url.startswith("sqlite:///"):
        assert query(database_url, "PRAGMA integrity_check") == [("ok",)]
    state = moves(database_url, deal_id)
    assert state["by_version"] >= 40
    assert state["by_version"] == state["by_history"] == state["by_audit"]
    assert state["stage_matches_history"]
