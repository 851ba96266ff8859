"""Settings for the test suite: SQLite in memory unless DATABASE_URL points elsewhere."""

import os
import tempfile

os.environ.setdefault(
    "LEJEK_DATA_DIR", os.path.join(tempfile.gettempdir(), f"lejek-test-{os.getuid()}")
)
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from lejek.config.settings import *  # noqa: F403
from lejek.config.settings import DATABASES

API_REQUESTS_PER_MINUTE = 0  # the throttling tests set their own limit
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"].setdefault("TEST", {})
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
