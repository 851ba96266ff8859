"""Automation throughput: stage moves that each fire a rule with two actions.

10,000 moves (back and forth between two early stages of a pipeline, over 500
open deals) through the deal services, each firing a "deal entered a stage"
rule that creates a follow-up task and sets the next step. Measured once with
the database queue and once with RQ on the local Redis: moves per second (the
user-facing part: the move commits and queues an event) and the time until
the worker has run every rule. Each backend runs in its own process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent.parent / "automation_moves.py"
MOVES = int(os.environ.get("LEJEK_BENCH_AUTOMATION_MOVES", "10000"))


def jobs(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    rows = []
    for backend in ("db", "rq"):
        env = {**os.environ, "TASKS_BACKEND": backend}
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--moves", str(MOVES)],
            env=env,
            capture_output=True,
            text=True,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            rows.append({"name": f"automation ({backend})", "error": done.stderr[-300:]})
            continue
        r = json.loads(lines[-1])
        if "error" in r:
            rows.append({"name": f"automation ({backend})", "error": r["error"]})
            continue
        queue = "database queue" if backend == "db" else "RQ on Redis"
        detail = (
            f"{r['moves']:,} moves over {r['pool']} deals; "
            f"{r['runs_done']:,} rule runs, {r['runs_failed']} failed"
        )
        rows += [
            {
                "name": f"stage moves firing a rule ({queue})",
                "value": r["moves_per_s"],
                "unit": "moves/s",
                "detail": detail,
            },
            {
                "name": f"queue drained after the moves ({queue})",
                "value": r["drain_s"],
                "unit": "s",
                "detail": "one worker process",
            },
        ]
    return rows
