"""Release checks: production settings pass Django's deployment checks; no secrets committed."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What a committed credential looks like (the test key of test_settings is not one:
# it is only ever used by the test suite and says so).
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Lejek API key": re.compile(r"\blej_[A-Za-z0-9_-]{43}\b"),
    "password in a URL": re.compile(
        r"\b(?:postgres|postgresql|redis|mysql)://[^/\s:@]+:[^@\s]{6,}@"
    ),
}
ALLOWED = {"user:password@", "lejek:password@"}  # placeholders in the documentation


def test_check_deploy_has_no_warnings_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "LEJEK_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-key-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "crm.example.com",
        "LEJEK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests of this same run
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_no_secrets_in_the_repository():
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    found = []
    for name in filter(None, files):
        path = ROOT / name.decode()
        if not path.is_file() or path.suffix in {".mo", ".png", ".ico", ".woff2", ".lock"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                if not any(allowed in match.group(0) for allowed in ALLOWED):
                    found.append(f"{name.decode()}: {what}: {match.group(0)[:40]}")
    assert found == []
