"""The log of changes to closed deals' summaries, and the cheap name it gives them.

Reading a forecast's closed history (stays per win-model cell, won deals) takes
seconds at a million deals, so forecasting caches it under a name that must change
whenever that history does. Counting and summing the closed summaries to make that
name took about a second itself. Instead, whatever rewrites a closed deal's summary
adds a row here in the same transaction, and the name is the row count with the
last row: one indexed read.
"""

import secrets

from lejek.analytics.models import ClosedChange


def note() -> None:
    """Record a change to closed deals' summaries (inside the changing transaction)."""
    ClosedChange.objects.create(token=secrets.randbits(62))


def restart() -> None:
    """Forget earlier changes: the summaries were just built from scratch (`rebuild`)."""
    ClosedChange.objects.all().delete()
    note()


def mark() -> tuple[int, int, int] | None:
    """(rows, last id, last token), or None while nothing is logged: then the caller
    cannot tell this history from another and must look at the summaries themselves."""
    last = ClosedChange.objects.order_by("-pk").values_list("pk", "token").first()
    if last is None:
        return None
    return ClosedChange.objects.count(), last[0], last[1]
