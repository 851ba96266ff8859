"""Load, short form: the real server (granian, two processes) under a mixed read/write load.

Here it runs for 15 seconds (LEJEK_LOAD_SECONDS) on the suite's database kind and
must answer every request as expected (no 5xx, no broken connection); `make soak`
runs it for five minutes on SQLite and on PostgreSQL and prints the figures
(recorded in docs/reliability.md).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

LOAD = Path(__file__).with_name("load.py")
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mixed_load_gets_no_errors(process_env, tmp_path):
    port = free_port()
    env = {**process_env, "API_REQUESTS_PER_MINUTE": "0"}
    lejek = Path(sys.executable).with_name("lejek")
    server = subprocess.Popen(
        [
            str(lejek),
            "run",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-worker",
            "--demo-deals",
            "300",
        ],
        env=env,
        stdout=(tmp_path / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        result = subprocess.run(
            [
                sys.executable,
                str(LOAD),
                "--url",
                f"http://127.0.0.1:{port}",
                "--seconds",
                os.environ.get("LEJEK_LOAD_SECONDS", "15"),
                "--users",
                "4",
            ],
            capture_output=True,
            text=True,
            timeout=float(os.environ.get("LEJEK_LOAD_SECONDS", "15")) + 120,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"load on {env['DATABASE_URL'].split(':')[0]}: {json.dumps(report)}")
    assert report["errors"] == 0, report["error_examples"]
    assert report["requests"] > 0
