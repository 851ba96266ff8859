"""`lejek demo`: demo data with a progress bar per step that starts no thread, so the
summary rebuild at its end may spread over forked children."""

import threading

import pytest
from typer.testing import CliRunner

from lejek.cli import app
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db


def test_demo_loads_with_no_thread_beside_its_rebuild(threads_at_rebuild: list[int]) -> None:
    before = threading.active_count()
    result = CliRunner().invoke(app, ["demo", "--deals", "30"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Demo data loaded in" in result.output
    assert Deal.objects.count() == 30
    assert threads_at_rebuild == [before]
