"""No lost updates: concurrent moves of one deal with version checks.

Threads each read the deal and move it to the other stage with the version they
read, many times over. Every accepted move must show as exactly one version
increment, one stage change and one audit entry; every other attempt must be a
409 version conflict — never an error, never a silent overwrite. Runs in a
separate process on a real database file (SQLite, WAL) or a throwaway PostgreSQL
database, like the server does.
"""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("contend.py")
THREADS, MOVES = 4, 300


def test_concurrent_moves_lose_nothing(process_env):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(THREADS), str(MOVES)],
        env=process_env,
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
