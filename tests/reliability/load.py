"""Load: hold a mixed read/write API load on a running Lejek server for a while.

    python tests/reliability/load.py --url http://127.0.0.1:8000 --seconds 300 --users 8 \
        --username admin --password admin-demo

Loopback only: the script refuses any other host. Each simulated user keeps one
connection open and, until time is up, picks a request: deal lists and details,
organizations, the board, logging a note, moving a deal (a 409 version conflict
is an expected answer there). Prints one JSON object: requests, requests per
second, median and p99 latency in milliseconds, and errors (5xx, unexpected 4xx,
broken connections) with examples.
"""

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Session:
    def __init__(self, host: str, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw[:200]


def get_token(host: str, port: int, username: str, password: str) -> str:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    body = json.dumps({"username": username, "password": password, "name": "load"})
    connection.request(
        "POST", "/api/v1/auth/tokens", body=body, headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    payload = json.loads(response.read())
    if response.status != 201:
        raise SystemExit(f"cannot get a token: {response.status} {payload}")
    return payload["key"]


def user_loop(
    session: Session,
    deadline: float,
    seed: int,
    deals: list[dict],
    pipelines: list[int],
    latencies: list[float],
    outcomes: Counter,
    examples: list[str],
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    local_latencies: list[float] = []
    local: Counter[str] = Counter()
    while time.monotonic() < deadline:
        deal = rng.choice(deals)
        choice = rng.random()
        expected = {200}
        if choice < 0.3:
            method, path, body = "GET", f"/api/v1/deals?page_size=50&page={rng.randint(1, 5)}", None
        elif choice < 0.55:
            method, path, body = "GET", f"/api/v1/deals/{deal['id']}", None
        elif choice < 0.7:
            method, path, body = "GET", "/api/v1/organizations?page_size=50", None
        elif choice < 0.8:
            method, path, body = "GET", f"/api/v1/pipelines/{rng.choice(pipelines)}/board", None
        elif choice < 0.9:
            method, path = "POST", "/api/v1/activities"
            body = {"kind": "note", "body": "Load test note", "deal_id": deal["id"]}
            expected = {201}
        else:
            method, path = "POST", f"/api/v1/deals/{deal['id']}/move"
            body = {"stage_id": rng.choice(deal["stages"]), "version": deal["version"]}
            expected = {200, 409}
        begin = time.perf_counter()
        try:
            status, answer = session.call(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            local["error"] += 1
            with lock:
                examples.append(f"{method} {path}: {exc!r}")
            continue
        local_latencies.append((time.perf_counter() - begin) * 1000)
        if status in expected:
            local["ok"] += 1
            if path.endswith("/move"):
                deal["version"] = answer["version"] if status == 200 else answer["current_version"]
        else:
            local["error"] += 1
            with lock:
                examples.append(f"{method} {path}: {status} {str(answer)[:200]}")
    with lock:
        latencies.extend(local_latencies)
        outcomes.update(local)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin-demo")
    args = parser.parse_args()
    target = urlsplit(args.url)
    if target.hostname not in LOOPBACK:
        raise SystemExit("load is only ever run against a server on this machine (loopback)")
    host, port = target.hostname, target.port or 80
    token = get_token(host, port, args.username, args.password)
    probe = Session(host, port, token)
    _, page = probe.call("GET", "/api/v1/deals?status=open&page_size=100")
    _, pipelines = probe.call("GET", "/api/v1/pipelines")
    stages = {p["id"]: [s["id"] for s in p["stages"]] for p in pipelines}
    deals = [
        {"id": d["id"], "version": d["version"], "stages": stages[d["pipeline"]["id"]][:3]}
        for d in page["items"]
        if d["pipeline"]["id"] in stages
    ]
    if not deals:
        raise SystemExit("the server has no open deals to work on")
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    examples: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + args.seconds
    threads = [
        threading.Thread(
            target=user_loop,
            args=(
                Session(host, port, token),
                deadline,
                i,
                [dict(d) for d in deals[i :: args.users] or deals],
                list(stages),
                latencies,
                outcomes,
                examples,
                lock,
            ),
        )
        for i in range(args.users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    total = outcomes["ok"] + outcomes["error"]
    report = {
        "seconds": round(elapsed, 1),
        "users": args.users,
        "requests": total,
        "requests_per_second": round(total / elapsed, 1),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
        "errors": outcomes["error"],
        "error_examples": examples[:10],
    }
    print(json.dumps(report))
    return 0 if outcomes["error"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
