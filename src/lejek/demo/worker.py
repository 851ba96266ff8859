"""A helper process that builds demo chunks while the loader inserts the previous one.

Started as `python -m lejek.demo.worker DIRECTORY` (a plain subprocess, so it never
re-runs the caller's script and shares no database connection). Requests and
results are pickles in DIRECTORY; the pipes carry one line per message:
`<request file>` in, `ok <result file>` or `error <traceback file>` out, in order.
Closing its stdin stops it.
"""

import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any


class Worker:
    """The loader's side: submit requests, then collect the results in the same order."""

    def __init__(self, directory: Path, setup: dict[str, Any]) -> None:
        self.directory = directory
        self.sent = 0
        (directory / "setup.pickle").write_bytes(pickle.dumps(setup))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lejek.demo.worker", str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )

    def submit(self, *request: Any) -> None:
        self.sent += 1
        path = self.directory / f"request-{self.sent}.pickle"
        path.write_bytes(pickle.dumps(request))
        assert self.process.stdin is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()

    def result(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        status, _, name = line.partition(" ")
        if status == "ok":
            path = Path(name)
            value = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
            path.unlink()
            return value
        detail = Path(name).read_text() if status == "error" else "it stopped unexpectedly"
        raise RuntimeError(f"The demo worker process failed: {detail}")

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(directory: Path) -> None:
    """The worker's side: set Django up like the loader, then answer requests until EOF."""
    setup = pickle.loads((directory / "setup.pickle").read_bytes())  # noqa: S301
    os.environ["DJANGO_SETTINGS_MODULE"] = setup["settings"]
    import django

    django.setup()
    from django.db import connection

    from lejek.demo import chunks

    for count, line in enumerate(sys.stdin, start=1):
        try:
            # Prepared values are driver values: both sides must target the same database kind.
            if connection.vendor != setup["vendor"]:
                raise RuntimeError(f"worker has {connection.vendor}, loader {setup['vendor']}")
            request = Path(line.strip())
            seed, chunk, ids = pickle.loads(request.read_bytes())  # noqa: S301
            request.unlink()
            value = chunks.build_prepared(setup["context"], seed, chunk, ids)
            out = directory / f"result-{count}.pickle"
            out.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"ok {out}", flush=True)
        except Exception:
            out = directory / f"error-{count}.txt"
            out.write_text(traceback.format_exc())
            print(f"error {out}", flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
