"""Backup → restore into an empty database gives every table back, row for row."""

import gzip
import json

import pytest
from django.db import connection

from lejek.accounts.models import User
from lejek.dataio import backup, tables
from lejek.dataio.tests import samples
from lejek.pipelines.models import Deal

pytestmark = pytest.mark.django_db


def empty_database() -> None:
    """What a fresh instance looks like: nothing but what `migrate` seeds."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    backup._clear(tables.all_models())
    for config in apps.get_app_configs():
        create_contenttypes(config, verbosity=0)
        create_permissions(config, verbosity=0)


@pytest.fixture
def filled():
    samples.fill(deals=40)
    return tables.checksums()


@pytest.mark.parametrize("name", ["lejek.jsonl", "lejek.jsonl.gz"])
def test_backup_then_restore_gives_every_table_back(filled, tmp_path, name):
    path = tmp_path / name
    header = backup.backup(path)
    assert header["tables"] == {t: rows for t, (rows, _) in filled.items()}
    assert header["tables"]["core.auditentry"] > 0 and header["tables"]["pipelines.stagechange"]
    assert "sessions.session" not in header["tables"]
    empty_database()
    assert backup.holdings() == {}

    counts = backup.restore(path)

    assert counts == header["tables"]
    assert tables.checksums() == filled


def test_restored_instance_keeps_working_with_new_ids(filled, tmp_path):
    path = tmp_path / "b.jsonl"
    backup.backup(path)
    highest = Deal.objects.order_by("-pk").values_list("pk", flat=True).first()
    empty_database()
    backup.restore(path)
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    from lejek.pipelines import services as pipeline_services

    deal = Deal.objects.order_by("pk").first()
    created = pipeline_services.deal_create(
        actor=admin, data={"title": "After restore", "pipeline_id": deal.pipeline_id}
    )
    assert created.pk > highest


def test_restore_refuses_a_database_in_use(filled, tmp_path):
    path = tmp_path / "b.jsonl"
    backup.backup(path)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(path)
    assert tables.checksums() == filled


def test_a_truncated_backup_restores_nothing(filled, tmp_path):
    path = tmp_path / "b.jsonl"
    backup.backup(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: len(lines) // 2]) + "\n")
    empty_database()
    with pytest.raises(backup.BackupError, match="incomplete"):
        backup.restore(path)
    assert not Deal.objects.exists() and not User.objects.exists()


def test_a_backup_from_a_newer_version_is_refused(filled, tmp_path):
    path = tmp_path / "b.jsonl.gz"
    backup.backup(path)
    with gzip.open(path, "rt") as f:
        lines = f.read().splitlines()
    header = json.loads(lines[0])
    header["migrations"].setdefault("pipelines", []).append("9999_from_the_future")
    with gzip.open(path, "wt") as f:
        f.write("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    empty_database()
    with pytest.raises(backup.BackupError, match="newer version"):
        backup.restore(path)


def test_a_failed_backup_keeps_the_earlier_file_and_leaves_no_working_file(
    filled, tmp_path, monkeypatch
):
    """The file is written under a working name and renamed when complete: a backup that
    stops midway leaves the earlier backup of that name as it was, and nothing else."""
    path = tmp_path / "b.jsonl"
    backup.backup(path)
    before = path.read_bytes()
    rows = tables.plain_rows

    def broken(model):
        if model is Deal:
            raise OSError("the disk is full")
        return rows(model)

    monkeypatch.setattr(tables, "plain_rows", broken)
    with pytest.raises(OSError, match="disk is full"):
        backup.backup(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.jsonl"]


def test_a_killed_backups_working_file_is_removed_by_the_next(filled, tmp_path):
    """A killed backup cannot clean up: its working file (its process gone) goes at the
    next backup to the same name; a running backup's file and other files stay."""
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    left = f".b.jsonl.gz.{gone}.partial"
    kept = [".b.jsonl.gz.1.partial", f".other.jsonl.{gone}.partial", "notes.txt"]  # pid 1 runs
    for name in [left, *kept]:
        (tmp_path / name).write_text("x")
    backup.backup(tmp_path / "b.jsonl.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["b.jsonl.gz", *kept])


def test_not_a_backup(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("hello\n")
    with pytest.raises(backup.BackupError, match="not a Lejek backup"):
        backup.restore(path)


def test_tables_put_parents_first():
    order = tables.names()
    assert order.index("accounts.user") < order.index("pipelines.deal")
    assert order.index("pipelines.deal") < order.index("pipelines.stagechange")
    assert order.index("contenttypes.contenttype") < order.index("auth.permission")
    assert {"sessions.session", "accounts.loginfailure"}.isdisjoint(order)
    assert connection.vendor in ("sqlite", "postgresql")
