"""A full backup of one Lejek instance in one file, and its restore into an empty instance.

The file is JSON lines (gzip-compressed when its name ends in `.gz`):

1. a header: `{"format": "lejek-backup", "version": 1, "created_at", "database",
   "migrations": {app: [applied migration names]}, "tables": {table: rows}}`;
2. per table, in the order that puts parents before children: a line
   `{"table": "app.model", "columns": [column names]}`, then one JSON array per row;
3. a last line `{"end": true, "rows": total}`: a file without it is truncated.

Values are plain JSON (times in UTC ISO 8601, decimals as text, bytes in base64),
so a backup made on SQLite restores on PostgreSQL and back. Every table of every
Lejek app is in it (history, audit log, settings, summaries), with Django's users,
groups, permissions and content types; see `tables` for the few left out.

The backup reads one consistent snapshot (a REPEATABLE READ transaction on
PostgreSQL; on SQLite one transaction, during which writers wait). Tables are read
and written in chunks, so memory stays flat whatever the size. The file is written under
a working name (see `working`) and takes its name only when complete: a failed or killed
backup leaves no file that looks whole, and never replaces an earlier backup of that name.
The restore runs in one transaction: it goes in whole or not at all.
"""

import datetime
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

from lejek.core.errors import DomainError
from lejek.dataio import tables
from lejek.dataio.working import remove_abandoned, working

FORMAT = "lejek-backup"
VERSION = 1
CHUNK = 2_000

Progress = Callable[[str, int, int], None]


class BackupError(DomainError):
    """A backup that cannot be read or restored here."""


def _open_write(path: Path, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=3)
    return path.open("w", encoding="utf-8")


def _open_read(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def migration_state() -> dict[str, list[str]]:
    """Applied migrations per app, as django_migrations records them."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    state: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def backup(path: str | Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write every table to one file; returns the header (with row counts)."""
    target = Path(path)
    report = progress or (lambda table, done, total: None)
    models = tables.all_models()
    remove_abandoned(target)
    partial = working(target, "partial")
    try:
        header = _write(partial, target.suffix == ".gz", models, report)
        partial.replace(target)  # a backup file is complete or absent
    finally:
        partial.unlink(missing_ok=True)
    return header


def _write(
    partial: Path, compressed: bool, models: list[type[Model]], report: Progress
) -> dict[str, Any]:
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = {tables.label(m): m._base_manager.count() for m in models}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().astimezone(datetime.UTC).isoformat(),
            "database": connection.vendor,
            "migrations": migration_state(),
            "tables": counts,
        }
        total = 0
        with _open_write(partial, compressed) as out:
            out.write(_dump(header) + "\n")
            for model in models:
                name = tables.label(model)
                out.write(
                    _dump({"table": name, "columns": [f.column for f in tables.columns(model)]})
                    + "\n"
                )
                done = 0
                report(name, 0, counts[name])
                lines: list[str] = []
                for row in tables.plain_rows(model):
                    lines.append(_dump(row))
                    done += 1
                    if len(lines) >= CHUNK:
                        out.write("\n".join(lines) + "\n")
                        lines.clear()
                        report(name, done, counts[name])
                if lines:
                    out.write("\n".join(lines) + "\n")
                report(name, done, counts[name])
                if done != counts[name]:  # cannot happen inside one snapshot
                    raise BackupError(f"{name}: counted {counts[name]} rows but read {done}.")
                total += done
            out.write(_dump({"end": True, "rows": total}) + "\n")
    return header


# --- restore -----------------------------------------------------------------------------


def read_header(path: str | Path) -> dict[str, Any]:
    with _open_read(Path(path)) as source:
        return _header(source.readline())


def _header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("This is not a Lejek backup file.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"This backup is in format version {header.get('version')}; "
            f"this Lejek reads version {VERSION}."
        )
    return header


def check_migrations(header: dict[str, Any]) -> None:
    """Refuse a backup made by a Lejek whose database schema this one does not know."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in header.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise BackupError(
            "This backup was made by a newer version of Lejek (its database has migrations "
            f"this one does not have: {shown}). Upgrade Lejek, then restore."
        )
    applied = {(app, name) for app, names in migration_state().items() for name in names}
    missing = [
        f"{app}.{name}"
        for app, name in sorted(known - applied)
        if applied and app in header.get("migrations", {})
    ]
    if missing:
        raise BackupError(
            f"This database is not migrated ({', '.join(missing[:5])} not applied). "
            "Run `lejek migrate` first."
        )


def holdings() -> dict[str, int]:
    """Tables (other than those `migrate` fills by itself) that hold rows."""
    from lejek.accounts.models import User

    held = {}
    for model in tables.all_models():
        count = model._base_manager.count()
        if count:
            held[tables.label(model)] = count
    # Content types, permissions and the defaults migrations seed are there on every
    # fresh instance; an instance with no user has never been used.
    return held if User.objects.exists() else {}


def restore(path: str | Path, progress: Progress | None = None) -> dict[str, int]:
    """Load a backup into this (empty, migrated) instance; returns rows per table.

    The database must be empty: no user, nothing but what `migrate` puts there
    (which the backup's rows replace). Primary keys are kept, sequences are reset
    on PostgreSQL, and each table's row count is checked against the header.
    """
    source_path = Path(path)
    report = progress or (lambda table, done, total: None)
    with _open_read(source_path) as source:
        header = _header(source.readline())
        check_migrations(header)
        held = holdings()
        if held:
            listed = ", ".join(f"{n} ({c:,})" for n, c in list(held.items())[:5])
            raise BackupError(
                f"This database is not empty ({listed}). A backup restores only into an "
                "empty instance: create a new database, run `lejek migrate`, then restore."
            )
        expected: dict[str, int] = header["tables"]
        by_label = {tables.label(m): m for m in tables.all_models()}
        unknown = sorted(set(expected) - set(by_label))
        if unknown:
            raise BackupError(f"This Lejek has no table {', '.join(unknown)} from the backup.")
        with transaction.atomic():
            _clear(list(by_label.values()))
            counts = _load(source, by_label, expected, report)
            _reset_sequences(list(by_label.values()))
            actual = {name: by_label[name]._base_manager.count() for name in expected}
            wrong = {n: (expected[n], actual[n]) for n in expected if expected[n] != actual[n]}
            if wrong:
                raise BackupError(
                    "Restored row counts differ from the backup: "
                    + ", ".join(f"{n} {a} instead of {e}" for n, (e, a) in wrong.items())
                )
    return counts


def _clear(models: list[tables.Model]) -> None:
    """Remove what `migrate` seeded (content types, permissions, default rules)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(models):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608


def _lines(source: IO[str]) -> Iterator[str]:
    for line in source:
        if line.strip():
            yield line


def _load(
    source: IO[str],
    by_label: dict[str, tables.Model],
    expected: dict[str, int],
    report: Progress,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    batch: list[Any] = []
    model: tables.Model | None = None
    build: Callable[[list[Any]], Any] | None = None
    name = ""
    ended = False

    def flush() -> None:
        if batch and model is not None:
            model._base_manager.bulk_create(batch, batch_size=500)
            batch.clear()
            report(name, counts[name], expected.get(name, 0))

    for line in _lines(source):
        if line[0] == "[":
            if build is None:
                raise BackupError("The backup has rows before any table line.")
            batch.append(build(json.loads(line)))
            counts[name] += 1
            if len(batch) >= CHUNK:
                flush()
            continue
        flush()
        entry = json.loads(line)
        if entry.get("end"):
            ended = True
            break
        name = entry["table"]
        if name not in by_label:
            raise BackupError(f"This Lejek has no table {name}.")
        model = by_label[name]
        build = _builder(model, entry["columns"])
        counts[name] = 0
        report(name, 0, expected.get(name, 0))
    flush()
    if not ended:
        raise BackupError("The backup file is incomplete (it has no end line); nothing restored.")
    return counts


def _builder(model: tables.Model, names: list[str]) -> Callable[[list[Any]], Any]:
    """Rows (by the backup's columns) → model instances; new columns get their defaults."""
    fields = tables.columns(model)
    by_column = {f.column: i for i, f in enumerate(fields)}
    missing = [n for n in names if n not in by_column]
    if missing:
        raise BackupError(
            f"The table {tables.label(model)} here has no column {', '.join(missing)}."
        )
    positions = [by_column[n] for n in names]
    decoders = [(i, d) for i, n in enumerate(names) if (d := tables.decoder(fields[by_column[n]]))]
    placed = set(positions)
    filled = [fields[i] for i in range(len(fields)) if i not in placed]
    width = len(fields)

    def build(row: list[Any]) -> Any:
        for i, decode in decoders:
            row[i] = decode(row[i])
        values: list[Any] = [None] * width
        for position, value in zip(positions, row, strict=True):
            values[position] = value
        for f in filled:
            values[fields.index(f)] = f.get_default()
        return model(*values)

    return build


def _reset_sequences(models: list[tables.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
