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
