"""An import process killed (SIGKILL) midway leaves a sound database (`PRAGMA integrity_check`)
and whole batches only; a re-run completes it with no duplicates. SQLite file in a temporary
directory (on the PostgreSQL run too: the check is about SQLite's file surviving a kill)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("import_worker.py")
ROWS = 3_000
DEALS = 20_000  # the fast path takes 100 deals in a few milliseconds
pytestmark = pytest.mark.slow


def integrity(db: Path) -> list[tuple[str]]:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall()


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql).fetchone()[0]


def killed_midway(tmp_path, mode, rows=ROWS):
    """Start an import of `rows` rows in a process of its own (`import_worker.py MODE`), kill
    it once 300 are in, and return the database, the environment and the job's id."""
    db = tmp_path / "lejek.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "LEJEK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
        "SECRET_KEY": "import-kill-tests-only-secret-key-0123456789-abcdefghijklmn",
    }
    env.pop("LEJEK_ENV", None)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), mode, str(rows)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        job_id = int(process.stdout.readline())
        deadline = time.monotonic() + 180
        done = 0
        while time.monotonic() < deadline and process.poll() is None:
            done = count(db, f"SELECT rows_done FROM dataio_importjob WHERE id = {job_id}")  # noqa: S608
            if done >= 300:
                break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    return db, env, job_id


def resume(env, job_id):
    resumed = subprocess.run(
        [sys.executable, str(SCRIPT), "resume", str(job_id)],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(resumed.stdout.strip().splitlines()[-1])


def test_sigkill_midway_leaves_whole_batches_and_rerun_completes(tmp_path):
    db, env, job_id = killed_midway(tmp_path, "start")
    assert integrity(db) == [("ok",)]
    done = count(db, f"SELECT rows_done FROM dataio_importjob WHERE id = {job_id}")  # noqa: S608
    assert 300 <= done < ROWS and done % 100 == 0  # whole batches only
    assert count(db, "SELECT count(*) FROM contacts_organization") == done
    assert count(db, "SELECT count(*) FROM dataio_externalid") == done

    result = resume(env, job_id)
    assert result["status"] == "done"
    assert (result["report"]["rows"], result["report"]["created"]) == (ROWS, ROWS)
    assert count(db, "SELECT count(*) FROM contacts_organization") == ROWS
    assert count(db, "SELECT count(DISTINCT name) FROM contacts_organization") == ROWS
    assert count(db, "SELECT count(*) FROM dataio_externalid") == ROWS
    assert integrity(db) == [("ok",)]


def indexes(db: Path) -> set[str]:
    with sqlite3.connect(db, timeout=20) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {name for (name,) in rows}


def test_a_large_deals_import_killed_midway_gets_its_indexes_back_when_resumed(tmp_path):
    """The fast path of a large import sets indexes aside (`set_aside`): killed midway, the
    database is sound and holds whole batches, and the job's report keeps the indexes'
    definitions; resuming it imports the rest once and builds them again."""
    db, env, job_id = killed_midway(tmp_path, "deals", DEALS)
    assert integrity(db) == [("ok",)]
    done = count(db, f"SELECT rows_done FROM dataio_importjob WHERE id = {job_id}")  # noqa: S608
    assert 300 <= done < DEALS and done % 100 == 0
    assert count(db, "SELECT count(*) FROM pipelines_deal") == done
    assert "deal_open_forecast" not in indexes(db)
    with sqlite3.connect(db, timeout=20) as conn:
        sql = f"SELECT report FROM dataio_importjob WHERE id = {job_id}"  # noqa: S608
        report = json.loads(conn.execute(sql).fetchone()[0])
    assert "deal_open_forecast" in report["indexes_set_aside"]

    result = resume(env, job_id)
    assert result["status"] == "done" and "indexes_set_aside" not in result["report"]
    assert (result["report"]["rows"], result["report"]["created"]) == (DEALS, DEALS)
    assert count(db, "SELECT count(DISTINCT title) FROM pipelines_deal") == DEALS
    assert count(db, "SELECT count(*) FROM pipelines_stagechange") == DEALS
    assert {"deal_open_forecast", "stagechange_stage_at", "statuschange_status_at"} <= indexes(db)
    assert integrity(db) == [("ok",)]
