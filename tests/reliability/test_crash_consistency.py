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
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("churn.py")
pytestmark = pytest.mark.django_db(transaction=True)


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


def test_killed_mid_stream_leaves_no_partial_move(database_url, process_env):
    deal_id = churn_and_kill(database_url, process_env, after=40)
    if database_url.startswith("sqlite:///"):
        assert query(database_url, "PRAGMA integrity_check") == [("ok",)]
    state = moves(database_url, deal_id)
    assert state["by_version"] >= 40
    assert state["by_version"] == state["by_history"] == state["by_audit"]
    assert state["stage_matches_history"]
