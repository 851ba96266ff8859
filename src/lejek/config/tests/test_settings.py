"""Settings come from the environment; production refuses to run without a real secret."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]


def load(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "LEJEK_ENV", "DEBUG", "LEJEK_DATA_DIR"}
    }
    code = f"import lejek.config.settings as s; print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"LEJEK_DATA_DIR": str(tmp_path)}
    first = load(env, "s.SECRET_KEY")
    second = load(env, "s.SECRET_KEY")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_secret_key(tmp_path):
    result = load({"LEJEK_DATA_DIR": str(tmp_path), "LEJEK_ENV": "production"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_sqlite_outside_source_tree_debug_off(tmp_path):
    result = load(
        {"LEJEK_DATA_DIR": str(tmp_path)},
        "s.DEBUG, s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")
    assert str(tmp_path / "lejek.sqlite3") in result.stdout
    assert "journal_mode=WAL" in result.stdout and "IMMEDIATE" in result.stdout
    assert str(SRC) not in str(tmp_path)


def test_database_url_selects_postgresql(tmp_path):
    result = load(
        {"LEJEK_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@db.example:5432/crm"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql crm"
