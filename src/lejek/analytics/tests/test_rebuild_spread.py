"""A rebuild that owns its transaction computes the deal summaries in forked children (the
parent inserts what they hand over): the same summaries as computed in one process."""

import datetime

import pytest

from lejek.analytics import rebuild
from lejek.analytics.models import DealStageSummary, DealSummary, Rollup
from lejek.core import forked
from lejek.demo.generate import generate

pytestmark = pytest.mark.django_db


def snapshot():
    def rows(model):
        names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return sorted(repr(row) for row in model.objects.values_list(*names))

    return rows(DealSummary), rows(DealStageSummary), rows(Rollup)


def test_summaries_computed_in_children_equal_those_computed_here(monkeypatch):
    generate(deals=40, seed=5, now=datetime.datetime(2025, 6, 2, tzinfo=datetime.UTC))
    monkeypatch.setattr(rebuild, "BATCH", 7)  # several chunks
    rebuild.rebuild()
    here = snapshot()
    assert here[0] and here[1]

    calls = []
    in_order = forked.fork_imap

    def spread(func, items, workers=0, **kwargs):
        calls.append(kwargs)
        return in_order(func, items, 1, **kwargs)  # one worker: in this process, in order

    monkeypatch.setattr(forked, "fork_imap", spread)
    monkeypatch.setattr(rebuild, "may_spread", lambda: True)
    steps = []
    counts = rebuild.rebuild(progress=lambda step, done, total: steps.append((step, done, total)))
    assert calls == [{"readers": True, "reads_committed": True}]
    assert snapshot() == here
    assert counts["deals"] == len(here[0]) and counts["deal_stages"] == len(here[1])
    deals = [(done, total) for step, done, total in steps if step == "deals"]
    assert len(deals) > 2 and deals[-1][0] == deals[-1][1] == counts["deals"]


def test_a_rebuild_inside_a_callers_transaction_stays_in_one_process():
    assert not rebuild.may_spread()  # this test's transaction may hold unwritten deals


def test_the_callers_work_is_done_in_the_transaction_while_the_children_compute(monkeypatch):
    """`meanwhile` runs once, in the rebuild's transaction, after the first chunk has been
    asked for (the children are then at work) and before anything is inserted; the
    summaries are those of a rebuild without it."""
    from django.db import connection

    generate(deals=40, seed=5, now=datetime.datetime(2025, 6, 2, tzinfo=datetime.UTC))
    monkeypatch.setattr(rebuild, "BATCH", 7)
    rebuild.rebuild()
    here = snapshot()
    asked, seen = [], []
    in_order = forked.fork_imap

    def spread(func, items, workers=0, **kwargs):
        for result in in_order(func, items, 1, **kwargs):
            asked.append(len(asked))
            yield result

    def meanwhile():
        seen.append((list(asked), connection.in_atomic_block, DealSummary.objects.count()))

    monkeypatch.setattr(forked, "fork_imap", spread)
    monkeypatch.setattr(rebuild, "may_spread", lambda: True)
    rebuild.rebuild(meanwhile=meanwhile)
    assert seen == [([0], True, 0)]
    assert snapshot() == here
