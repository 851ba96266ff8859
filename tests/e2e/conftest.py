"""Browser tests: pytest-playwright drives the system Chromium against pytest-django's live server.

Each test module marks itself with `needs_chromium`, so without /usr/bin/chromium (the
Debian package `chromium`) the browser tests are skipped with that reason and the rest of
the suite still runs.
"""

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# The sync Playwright API keeps an event loop running in the test thread; Django would then
# refuse the ORM calls the tests make to set up and check data.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_LOG = pytest.StashKey[list[str]]()

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Chromium at /usr/bin/chromium (Debian package 'chromium')",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-GB"}


class OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time in its own thread.

    With SQLite in memory, the server's threads all use the test's one connection; Django
    does not guard a connection's transaction state against use by several threads at
    once. A page that loads two panels as it opens, clicked at once, had three requests
    in that connection together. Answered in turn, they cannot interleave (the browser is
    told to close each connection, so none waits on another's keep-alive)."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session")
def one_request_at_a_time() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneRequestAtATime)
        yield


@pytest.fixture(scope="session")
def live_server(one_request_at_a_time: Any, live_server: Any) -> Any:
    return live_server


@pytest.fixture(autouse=True)
def short_timeouts(page: Any) -> None:
    # Pages answer in milliseconds here; a missing element should fail fast, not in 30 s.
    page.set_default_timeout(10_000)


@pytest.fixture(autouse=True)
def browser_log(request: pytest.FixtureRequest, page: Any) -> None:
    """What the page asked and was told, with times: a failed test shows it in its report,
    so a failure seen once (under a loaded machine, say) can still be read afterwards."""
    start = time.monotonic()
    log = request.node.stash.setdefault(BROWSER_LOG, [])

    def note(text: str) -> None:
        log.append(f"{time.monotonic() - start:7.3f}s {text}")

    def static(url: str) -> bool:
        return "/static/" in url

    page.on("request", lambda r: static(r.url) or note(f"-> {r.method} {r.url}"))
    page.on(
        "response",
        lambda r: (static(r.url) and r.ok) or note(f"<- {r.status} {r.request.method} {r.url}"),
    )
    page.on("requestfailed", lambda r: note(f"!! {r.method} {r.url} {r.failure}"))
    page.on("console", lambda m: note(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: note(f"page error: {e}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    log = item.stash.get(BROWSER_LOG, None)
    if report.failed and log:
        report.sections.append(("browser log", "\n".join(log[-200:])))
    return report


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
