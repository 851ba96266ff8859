"""SQLite settings for the length of a large import, put back when it ends.

A big import rewrites index pages all over the stage-change table: with the
default page cache they are written out and read back again within a batch,
and with the default checkpoint every commit copies its pages from the WAL
into the database file at once. Both settings are about speed only: journal
mode and `synchronous` stay as they are (WAL, NORMAL), so every committed batch
survives the process being killed, as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

CACHE_KIB = 1_048_576  # 1 GiB of page cache (negative cache_size: KiB)
CHECKPOINT_PAGES = 262_144  # checkpoint once the WAL holds about 1 GiB (4 KiB pages)


@contextmanager
def tuned() -> Iterator[None]:
    """A larger page cache and rarer checkpoints on SQLite (nothing elsewhere); the cache
    is a limit, taken only as the import needs it."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
