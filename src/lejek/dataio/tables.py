"""Every table Lejek keeps, in an order that inserts parents before children, and the
plain (JSON) form of its rows, the same on SQLite and PostgreSQL.

Used by the backup (which writes every table), the restore (which reads them back
in this order) and the table exports. Left out, because they are not data:
sessions (everyone logs in again), the task queue's results (work in flight is
not restorable; a restored instance starts with an empty queue) and log-in
failures (a throttling window of a few minutes). Django's `django_migrations` is
no model: the backup header records it instead.
"""

import base64
import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.db import models

Model = type[models.Model]
Encoder = Callable[[Any], Any]

EXCLUDED = {"sessions.session", "django_tasks_database.dbtaskresult", "accounts.loginfailure"}
CHUNK = 5_000


def label(model: Model) -> str:
    return model._meta.label_lower


def all_models() -> list[Model]:
    """Every stored table (many-to-many tables too) except the EXCLUDED ones, parents first."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and label(m) not in EXCLUDED
    ]
    return _parents_first(found)


def _parents_first(found: list[Model]) -> list[Model]:
    known = set(found)
    parents = {
        m: [
            f.related_model
            for f in m._meta.concrete_fields
            if f.remote_field is not None and f.related_model is not m and f.related_model in known
        ]
        for m in found
    }
    ordered: list[Model] = []
    seen: set[Model] = set()
    visiting: set[Model] = set()

    def visit(m: Model) -> None:
        if m in seen or m in visiting:  # a cycle is left to the deferred constraints
            return
        visiting.add(m)
        for parent in parents[m]:
            visit(parent)  # type: ignore[arg-type]
        visiting.discard(m)
        seen.add(m)
        ordered.append(m)

    for m in found:
        visit(m)
    return ordered


def model_for(name: str) -> Model:
    """The model of a table named `app.model` (or by its database table name)."""
    wanted = name.strip().lower()
    for m in all_models():
        if wanted in (label(m), m._meta.db_table.lower()):
            return m
    raise LookupError(f"No table '{name}'. Known tables: {', '.join(names())}.")


def names() -> list[str]:
    return [label(m) for m in all_models()]


def columns(model: Model) -> list[models.Field]:
    return list(model._meta.concrete_fields)


# --- plain values ------------------------------------------------------------------------


def encoder(field: models.Field) -> Encoder | None:
    """How a value read from the database becomes JSON (None: it already is)."""
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, models.DateField | models.TimeField):
        return _isoformat
    if isinstance(field, models.DecimalField):
        step = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))
        return lambda v: None if v is None else str(decimal.Decimal(v).quantize(step))
    if isinstance(field, models.BinaryField):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode()
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.DurationField):
        return lambda v: None if v is None else v // datetime.timedelta(microseconds=1)
    return None


def decoder(field: models.Field) -> Encoder | None:
    """How a JSON value from a backup becomes the Python value the field takes."""
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else datetime.datetime.fromisoformat(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else datetime.date.fromisoformat(v)
    if isinstance(field, models.TimeField):
        return lambda v: None if v is None else datetime.time.fromisoformat(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else decimal.Decimal(v)
    if isinstance(field, models.BinaryField):
        return lambda v: None if v is None else base64.b64decode(v)
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else uuid.UUID(v)
    if isinstance(field, models.DurationField):
        return lambda v: None if v is None else datetime.timedelta(microseconds=v)
    return None


def _datetime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.isoformat()


def _isoformat(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def plain_rows(model: Model, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """Every row of the table as a list of JSON values (columns in `columns` order), by pk.

    Read in chunks by primary key (keyset), so memory stays flat on any table size.
    """
    fields = columns(model)
    names = [f.attname for f in fields]
    encoders = [(i, e) for i, f in enumerate(fields) if (e := encoder(f)) is not None]
    pk = model._meta.pk
    assert pk is not None
    pk_index = names.index(pk.attname)
    query = model._base_manager.order_by("pk").values_list(*names)
    last = None
    while True:
        page = query.filter(pk__gt=last) if last is not None else query
        rows = list(page[:chunk])
        if not rows:
            return
        last = rows[-1][pk_index]
        for values in rows:
            row = list(values)
            for i, encode in encoders:
                row[i] = encode(row[i])
            yield row


def canonical(row: list[Any]) -> str:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksums() -> dict[str, tuple[int, str]]:
    """(rows, sha256 of the canonical rows by pk) of every table: equal on two databases
    exactly when they hold the same data, whatever the database engine."""
    result = {}
    for model in all_models():
        digest = hashlib.sha256()
        count = 0
        for row in plain_rows(model):
            digest.update(canonical(row).encode())
            digest.update(b"\n")
            count += 1
        result[label(model)] = (count, digest.hexdigest())
    return result
