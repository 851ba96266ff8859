"""Throwaway databases for the tests that run Lejek in other processes."""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings


@pytest.fixture
def database_url(tmp_path):
    """A fresh database of the kind the suite runs on: a SQLite file, or a PostgreSQL
    database created (and dropped afterwards) on the suite's server."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'lejek.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    server = urlunsplit(parts._replace(path="/postgres"))
    name = f"lejek_rel_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def process_env(database_url, tmp_path):
    """The environment for a Lejek process on that database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEJEK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lejek.config.settings",
        "SECRET_KEY": "reliability-tests-only-secret-key-0123456789-abcdefghijklmn",
    }
    env.pop("LEJEK_ENV", None)
    return env
