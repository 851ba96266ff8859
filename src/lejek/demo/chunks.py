"""One chunk of demo data: the rows for a range of deals, built, prepared and inserted.

Building and preparing a chunk needs no database, only the ids it will use, so
`load` can hand that work to a worker process while it inserts the previous
chunk. Ids are reserved before a chunk is built; on SQLite the reservation is
a prediction (the ids after the previous chunk's) that is checked inside the
inserting transaction, and a chunk whose ids were taken meanwhile is rebuilt
with fresh ones. The rows themselves never depend on their ids, so every path
gives the same data.
"""

import random
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.demo import bulk, records, worker
from lejek.demo.bulk import Prepared, Row
from lejek.demo.context import Context
from lejek.demo.deals import DealBuilder, Rows
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, StageChange, StatusChange

# Insert order: parents before the rows that point at them.
TABLES = (
    ("organizations", Organization),
    ("people", Person),
    ("leads", Lead),
    ("deals", Deal),
    ("deal_people", Deal.people.through),
    ("stage_changes", StageChange),
    ("status_changes", StatusChange),
    ("activities", Activity),
)
WITH_IDS = {"organizations": Organization, "people": Person, "leads": Lead, "deals": Deal}

Ids = dict[str, list[int]]
Chunk = tuple[int, int, int]  # index, first deal, end (exclusive)


def share(start: int, end: int, divisor: int) -> int:
    """How many of the ~1/divisor records belong to deals [start, end): sums exactly."""
    return -(-end // divisor) - -(-start // divisor)


def sizes(start: int, end: int) -> dict[str, int]:
    """How many rows with ids the deals [start, end) come with."""
    return {
        "organizations": max(1, share(start, end, 3)),
        "people": share(start, end, 2),
        "leads": share(start, end, 2),
        "deals": end - start,
    }


def reserve(start: int, end: int, after: Ids | None = None) -> Ids:
    """Ids for the chunk; `after` (the previous reservation) makes them follow on from it."""
    return {
        name: bulk.reserve_ids(
            WITH_IDS[name], count, after[name][-1] if after and after[name] else None
        )
        for name, count in sizes(start, end).items()
    }


def build(ctx: Context, seed: int, chunk: Chunk, ids: Ids) -> Rows:
    """The rows for one chunk; deterministic for (seed, chunk) whatever the ids."""
    rng = random.Random(f"lejek-demo:{seed}:{chunk[0]}")
    rows = Rows()
    orgs = rows.organizations = [records.organization(ctx, rng, pk) for pk in ids["organizations"]]
    contacts: list[list[Row]] = [[] for _ in orgs]
    for i, pk in enumerate(ids["people"]):
        person = records.person(rng, orgs[i % len(orgs)], pk)
        contacts[i % len(orgs)].append(person)
        rows.people.append(person)
    builder = DealBuilder(ctx, rng, rows, ids["leads"])
    for pk in ids["deals"]:
        i = rng.randrange(len(orgs))
        builder.add(pk, orgs[i], contacts[i])
    for pk in ids["leads"][builder.leads_used :]:
        lead, acts = records.lead(ctx, rng, pk)
        rows.leads.append(lead)
        rows.activities.extend(acts)
    for org in orgs:
        org["updated_at"] = org["created_at"]
    for i, person in enumerate(rows.people):
        hours = timedelta(hours=rng.randint(1, 12))
        created = min(ctx.clock.now, orgs[i % len(orgs)]["created_at"] + hours)
        person["created_at"] = person["updated_at"] = created
    return rows


def build_prepared(ctx: Context, seed: int, chunk: Chunk, ids: Ids) -> list[Prepared]:
    rows = build(ctx, seed, chunk, ids)
    return [bulk.prepare(model, getattr(rows, name)) for name, model in TABLES]


def insert(prepared: list[Prepared], counts: dict[str, int]) -> None:
    for (name, _), part in zip(TABLES, prepared, strict=True):
        counts[name] += bulk.insert_prepared(part)


def chunks(deals: int, size: int) -> list[Chunk]:
    return [(i, start, min(deals, start + size)) for i, start in enumerate(range(0, deals, size))]


def load_serially(
    ctx: Context, seed: int, plan: list[Chunk], counts: dict[str, int], done: Callable[[int], None]
) -> None:
    for chunk in plan:
        # One transaction per chunk, which on SQLite holds the write lock the ids rely on.
        with transaction.atomic():
            ids = reserve(chunk[1], chunk[2])
            insert(build_prepared(ctx, seed, chunk, ids), counts)
        done(chunk[2])


def load_in_parallel(
    ctx: Context, seed: int, plan: list[Chunk], counts: dict[str, int], done: Callable[[int], None]
) -> None:
    """Build and prepare in a worker process, insert here: the two overlap.

    Two chunks are queued ahead, so the worker never waits; memory stays at
    about three chunks.
    """
    setup = {"context": ctx, "settings": settings.SETTINGS_MODULE, "vendor": connection.vendor}
    with tempfile.TemporaryDirectory(prefix="lejek-demo-") as directory:
        helper = worker.Worker(Path(directory), setup)
        try:
            queued: deque[tuple[Chunk, Ids]] = deque()
            upcoming: Iterator[Chunk] = iter(plan)
            last: Ids | None = None

            def submit() -> None:
                nonlocal last
                chunk = next(upcoming, None)
                if chunk is not None:
                    last = reserve(chunk[1], chunk[2], after=last)
                    helper.submit(seed, chunk, last)
                    queued.append((chunk, last))

            submit()
            submit()
            while queued:
                chunk, ids = queued.popleft()
                submit()
                prepared = helper.result()
                with transaction.atomic():
                    if not all(bulk.ids_free(WITH_IDS[n], ids[n]) for n in WITH_IDS):
                        # Someone else inserted rows since the reservation: build again here.
                        fresh = reserve(chunk[1], chunk[2])
                        prepared = build_prepared(ctx, seed, chunk, fresh)
                        last = {
                            n: max(fresh[n], last[n] if last else [], key=_end) for n in WITH_IDS
                        }
                    insert(prepared, counts)
                done(chunk[2])
        finally:
            helper.close()


def _end(ids: list[int]) -> int:
    return ids[-1] if ids else 0
