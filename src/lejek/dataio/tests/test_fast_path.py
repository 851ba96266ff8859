"""The fast path for large deal and stage-history imports gives the same records,
reports and analytics as the row-by-row path, on a file with every kind of row."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from lejek.analytics.models import DealStageSummary, DealSummary
from lejek.contacts import services as contact_services
from lejek.core.models import AuditEntry
from lejek.dataio import fast, fast_history, importer
from lejek.dataio.models import ExternalId
from lejek.dataio.tests.helpers import csv_bytes
from lejek.dataio.tests.test_stage_history import funnel
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, StageChange, StatusChange

pytestmark = pytest.mark.django_db

STAGES = ["Discovery call", "Qualified", "Product demo", "Product trial", "Final call"]


def deals_file():
    rows = [["Record ID", "Deal Name", "Amount", "Deal Stage", "Create Date", "Company",
             "Status", "Close Date"]]  # fmt: skip
    for i in range(1, 61):
        status, closed = ("open", "")
        if i % 7 == 0:
            status, closed = "won", "2025-03-01"
        elif i % 11 == 0:
            status, closed = "lost", "2025-03-02"
        company = ["Acme", "Żabka", "", "Brand New Co"][i % 4]
        rows.append([f"D-{i}", f"Deal {i % 50}", f"{i},500.00", STAGES[i % 5],
                     f"2025-01-{1 + i % 28:02d} 10:00", company, status, closed])  # fmt: skip
    rows += [
        ["D-3", "Deal 3 again", "1", "Qualified", "2025-01-03 10:00", "", "", ""],  # re-import
        ["D-90", "x" * 250, "1", "Qualified", "2025-01-03 10:00", "", "", ""],  # too long
        ["D-91", "No such stage", "1", "Nowhere", "2025-01-03 10:00", "", "", ""],
        ["D-92", "Won without date", "1", "Qualified", "2025-01-03 10:00", "", "won", ""],
        ["", "", "", "", "", "", "", ""],
        ["D-93", "Won by stage", "7", "Closed Won", "2025-01-03 10:00", "Acme", "", "2025-02-01"],
        ["", "No id, same as deal 5", "5", "Qualified", "2025-01-05 10:00", "Acme", "", ""],
        ["", "No id, same as deal 5", "6", "Qualified", "2025-01-05 10:00", "Acme", "", ""],
        ["D-94", "=cmd|' /C calc'!A0", "1", "Qualified", "2025-01-03 10:00", "", "", ""],
    ]  # fmt: skip
    return rows


def history_file(padded=True):
    """Rows deal by deal, then rows to reject; with `padded`, also cells with spaces around
    them and rows short of cells (and no longer deal by deal)."""
    rows = [["Deal ID", "Deal Stage", "Entered At"]]
    for i in range(1, 61):
        for step in range(1 + i % 4):
            rows.append([f"D-{i}", STAGES[(i + step) % 5], f"2025-01-{1 + step * 3:02d} 12:00"])
    rows += [
        ["D-1", STAGES[1], "2025-01-01 12:00"],  # twice in the file
        ["D-999", STAGES[1], "2025-01-01 12:00"],
        ["D-2", "Nowhere", "2025-01-01 12:00"],
        ["D-2", STAGES[0], "not a date"],
    ]
    if not padded:
        return rows
    rows += [
        [" D-3 ", f" {STAGES[2]} ", " 2025-01-20 12:00 "],  # padded cells
        ["", "", ""],
        ["D-4", "", "2025-01-02 12:00"],  # no stage
        ["D-5"],  # a short row
        ["D-6", STAGES[1], "  "],  # no time
        ["D-6", STAGES[1], "2025-01-01 12:00"],  # read again, counted as unchanged
    ]
    return rows


def run(admin, kind, rows, fast, batch_size):
    job = importer.job_create(
        actor=admin, kind=kind, filename=f"{kind}.csv", data=csv_bytes(rows),
        source="crm", options={"fast": fast},
    )  # fmt: skip
    return importer.run(job_id=job.pk, batch_size=batch_size).report


def recent(value):
    """Times the import took from the clock ("now") differ between two runs."""
    fresh = timezone.now() - datetime.timedelta(hours=1)
    if isinstance(value, datetime.datetime) and value > fresh:
        return "now"
    if isinstance(value, list | tuple):
        return type(value)(recent(v) for v in value)
    return value


def state(admin):
    """Everything the import wrote, by external id and names instead of ids."""
    deals = {}
    external = dict(ExternalId.objects.filter(kind="deal").values_list("record_id", "external_id"))
    for d in Deal.objects.select_related("stage", "organization").order_by("pk"):
        key = external.get(d.pk) or f"#{d.title}"
        deals[key] = recent((
            d.title, d.amount, d.currency, d.stage.name, d.status, d.closed_at, d.created_at,
            d.stage_entered_at, d.version, d.organization and d.organization.name, d.owner_id,
            [
                (c.from_stage and c.from_stage.name, c.to_stage.name, c.at, c.reason, c.note)
                for c in StageChange.objects.filter(deal=d).order_by("at", "pk")
            ],
            [
                (s.from_status, s.to_status, s.amount, s.lost_reason, s.stage.name)
                for s in StatusChange.objects.filter(deal=d).order_by("pk")
            ],
            AuditEntry.objects.filter(entity_type="deal", entity_id=d.pk).count(),
        ))  # fmt: skip
    summaries = sorted(
        (str(external.get(s.pop("deal_id"))), repr(recent(sorted(s.items()))))
        for s in DealSummary.objects.values()
        if not s.pop("organization_id", None) or True
    )
    stage_summaries = DealStageSummary.objects.count()
    return deals, summaries, stage_summaries, ExternalId.objects.count(), funnel(admin)


@pytest.mark.parametrize("batch_size", [1000, 9])
def test_fast_and_slow_paths_give_the_same_records_and_analytics(admin, batch_size, monkeypatch):
    calls = []
    original = fast.process
    monkeypatch.setattr(fast, "process", lambda *a: calls.append(1) or original(*a))
    rebuilt = []
    rebuild = importer.analytics_rebuild.rebuild
    monkeypatch.setattr(
        importer.analytics_rebuild, "rebuild", lambda **kw: rebuilt.append(1) or rebuild(**kw)
    )
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    for name in ("Acme", "Żabka"):
        contact_services.organization_create(actor=admin, data={"name": name})
    results = []
    for quick_path, defer in ((False, False), (True, False), (True, True)):
        # deferred: the summaries are rebuilt once at the end of each job
        monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1 if defer else 10**9)
        with transaction.atomic():
            reports = [
                run(admin, "deal", deals_file(), quick_path, batch_size),
                run(admin, "stage_history", history_file(), quick_path, batch_size),
                run(admin, "stage_history", history_file(), quick_path, batch_size),  # a re-run
                run(admin, "deal", deals_file(), quick_path, batch_size),
            ]
            for report in reports:
                report.pop("seconds", None)
            results.append((reports, state(admin)))
            transaction.set_rollback(True)
    slow = results[0]
    for quick in results[1:]:
        assert quick[0] == slow[0]  # reports, rejected rows and messages
        for part in range(5):
            if part == 0:
                for key in slow[1][0]:
                    assert quick[1][0].get(key) == slow[1][0][key], key
                assert set(quick[1][0]) == set(slow[1][0])
            assert quick[1][part] == slow[1][part], part
    assert slow[0][0]["created"] > 50 and slow[0][0]["rejected"] == 3
    assert slow[0][2]["created"] == 0
    assert calls  # the fast path did run
    assert len(rebuilt) == 4  # and the deferred one rebuilt the summaries after each job


def test_a_deals_job_can_leave_its_rebuild_to_the_history_job_after_it(admin, monkeypatch):
    """`options={"summaries": "later"}`: one rebuild (the history job's) instead of two, and
    the same summaries; with no history job after it, the feed catches the deals up."""
    from lejek.analytics import feed

    rebuilt = []
    rebuild = importer.analytics_rebuild.rebuild
    monkeypatch.setattr(
        importer.analytics_rebuild, "rebuild", lambda **kw: rebuilt.append(1) or rebuild(**kw)
    )
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    for name in ("Acme", "Żabka"):
        contact_services.organization_create(actor=admin, data={"name": name})

    def job(kind, rows, options):
        created = importer.job_create(
            actor=admin, kind=kind, filename=f"{kind}.csv", data=csv_bytes(rows),
            source="crm", options={"fast": True, **options},
        )  # fmt: skip
        return importer.run(job_id=created.pk).report

    results = []
    for options, history in (({}, True), ({"summaries": "later"}, True), ({}, False)):
        with transaction.atomic():
            rebuilt.clear()
            deals = job("deal", deals_file(), options)
            if history:
                job("stage_history", history_file(), {})
            assert deals.get(importer.LEFT) is (True if options else None)
            assert len(rebuilt) == (1 if options else 1 + history)
            results.append(state(admin))
            transaction.set_rollback(True)
    assert results[1] == results[0]

    with transaction.atomic():  # no history job after it: the deals wait for the feed
        job("deal", deals_file(), {"summaries": "later"})
        assert DealSummary.objects.count() < Deal.objects.count()
        feed.catch_up()
        assert state(admin) == results[2]
        transaction.set_rollback(True)


def test_bulk_inserts_run_in_their_transaction_without_a_savepoint_of_their_own(admin, monkeypatch):
    """A savepoint held over many INSERT statements costs SQLite dearly: with its journal
    in memory, each statement's end walks the journal of everything since the savepoint
    (100,000 deals took 29 s instead of 14). The fast path's inserts and the rebuild after
    the last batch run in the batch's (or the job's last) transaction as they are."""
    from django.db import connection

    from lejek.demo import bulk

    def open_savepoints():
        return sum(1 for sid in connection.savepoint_ids if sid)

    seen: dict[str, set] = {"insert": set()}
    where = {"start": 0}

    def watched(name, original):
        def call(*args, **kwargs):
            where["start"] = open_savepoints()
            seen.setdefault(name, set()).add(where["start"])
            return original(*args, **kwargs)

        return call

    def inserting(original):
        def call(*args, **kwargs):
            seen["insert"].add((where["start"], open_savepoints()))
            return original(*args, **kwargs)

        return call

    monkeypatch.setattr(fast, "process", watched("batch", fast.process))
    rebuild = importer.analytics_rebuild.rebuild
    monkeypatch.setattr(importer.analytics_rebuild, "rebuild", watched("rebuild", rebuild))
    monkeypatch.setattr(bulk, "insert_values", inserting(bulk.insert_values))
    monkeypatch.setattr(bulk, "insert_prepared", inserting(bulk.insert_prepared))
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    for kind, rows in (("deal", deals_file()), ("stage_history", history_file())):
        job = importer.job_create(
            actor=admin, kind=kind, filename=f"{kind}.csv", data=csv_bytes(rows),
            source="crm", options={"fast": True},
        )  # fmt: skip
        assert importer.run(job_id=job.pk, batch_size=25).status == "done"
    assert seen["batch"] and seen["rebuild"]  # both ran, and inserted
    assert len(seen["insert"]) > 0
    assert all(inner == outer for outer, inner in seen["insert"]), seen["insert"]


def test_history_rows_are_numbered_in_time_order_keeping_file_order_at_one_moment(admin):
    """The fast path numbers a batch's new stage changes by time within the pipeline (the
    indexes on time then grow in runs); two changes of a deal at the same moment keep
    their file order, so the chain between them is the file's."""
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    deals = [["Record ID", "Deal Name", "Amount", "Deal Stage", "Create Date"]] + [
        [f"D-{i}", f"Deal {i}", "100", STAGES[0], "2025-01-01 10:00"] for i in (1, 2)
    ]
    history = [
        ["Deal ID", "Deal Stage", "Entered At"],
        ["D-2", STAGES[2], "2025-03-01 12:00"],
        ["D-2", STAGES[0], "2025-01-05 12:00"],
        ["D-1", STAGES[1], "2025-02-01 12:00"],
        ["D-1", STAGES[3], "2025-02-01 12:00"],  # the same moment: after the row above
        ["D-1", STAGES[0], "2025-01-02 12:00"],
    ]
    run(admin, "deal", deals, True, 1000)
    assert run(admin, "stage_history", history, True, 1000)["created"] == 5
    imported = StageChange.objects.filter(reason=StageChange.Reason.IMPORTED).order_by("pk")
    found = [(c.deal.title, c.from_stage and c.from_stage.name, c.to_stage.name, c.at)
             for c in imported.select_related("deal", "from_stage", "to_stage")]  # fmt: skip
    moments = [at for *_, at in found]
    assert moments == sorted(moments)
    chain = [(title, before, stage) for title, before, stage, _ in found]
    assert chain == [
        ("Deal 1", None, STAGES[0]),
        ("Deal 2", None, STAGES[0]),
        ("Deal 1", STAGES[0], STAGES[1]),
        ("Deal 1", STAGES[1], STAGES[3]),
        ("Deal 2", STAGES[0], STAGES[2]),
    ]
    assert Deal.objects.get(title="Deal 1").stage.name == STAGES[3]


def test_the_deferred_rebuild_runs_in_a_transaction_of_its_own(admin, monkeypatch):
    """Not inside the transaction that marks the job done: a rebuild that owns its
    transaction may compute the summaries in forked children."""
    from django.db import connection

    depths = []
    rebuild = importer.analytics_rebuild.rebuild

    def watched(**kwargs):
        depths.append(len(connection.atomic_blocks))
        return rebuild(**kwargs)

    monkeypatch.setattr(importer.analytics_rebuild, "rebuild", watched)
    monkeypatch.setattr(importer, "DEFER_SUMMARIES_FROM", 1)
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    outside = len(connection.atomic_blocks)
    report = run(admin, "deal", deals_file(), True, 25)
    assert depths == [outside]
    assert importer.DEFERRED not in report and report["created"] > 50
    assert DealSummary.objects.count() == Deal.objects.alive().count()


def test_moving_deals_to_their_latest_stage_writes_only_what_changes(admin):
    """Setting a column to its own value would still rewrite the indexes holding it: a
    deal moved within its pipeline keeps its pipeline column unwritten, and a deal whose
    history ends in the stage it was imported in only has its entry time written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    deals = [["Record ID", "Deal Name", "Amount", "Deal Stage", "Create Date"]] + [
        [f"D-{i}", f"Deal {i}", "100", STAGES[1], "2025-01-01 10:00"] for i in (1, 2)
    ]
    history = [
        ["Deal ID", "Deal Stage", "Entered At"],
        ["D-1", STAGES[0], "2025-01-02 12:00"],
        ["D-1", STAGES[2], "2025-02-01 12:00"],
        ["D-2", STAGES[0], "2025-01-02 12:00"],
        ["D-2", STAGES[1], "2025-01-09 12:00"],
    ]
    run(admin, "deal", deals, True, 1000)
    with CaptureQueriesContext(connection) as queries:
        run(admin, "stage_history", history, True, 1000)
    table = Deal._meta.db_table
    moves = [q["sql"] for q in queries if f'UPDATE "{table}"' in q["sql"]]
    assert moves, "the deals were moved"
    assert not [sql for sql in moves if "pipeline_id" in sql]
    assert len([sql for sql in moves if "stage_id" in sql]) == 1
    found = {d.title: (d.stage.name, d.stage_entered_at.day, d.version) for d in Deal.objects.all()}
    assert found == {"Deal 1": (STAGES[2], 1, 2), "Deal 2": (STAGES[1], 9, 2)}


def test_plain_history_rows_are_planned_without_reading_each_row(admin, monkeypatch):
    """Rows of plain text cells are planned from the caches (`fast_history._quick`); only
    the rows that need a message or a lookup go through `Columns.read` and `plan`."""
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    run(admin, "deal", deals_file(), True, 1000)
    read, planned = [], []
    original_read, original_plan = importer.Columns.read, fast_history.plan
    monkeypatch.setattr(
        importer.Columns, "read", lambda self, cells: read.append(1) or original_read(self, cells)
    )
    monkeypatch.setattr(fast_history, "plan", lambda *a: planned.append(1) or original_plan(*a))
    rows = history_file()
    report = run(admin, "stage_history", rows, True, 1000)
    assert report["rows"] == len(rows) - 1
    # blank, not a date, no stage, short and no time: read row by row for their messages
    assert len(read) == 5
    # the first row into each of the five stages (until then not in the caches), the
    # unknown deal and the unknown stage: planned row by row
    assert len(planned) == 7
    assert report["created"] > 100 and report["rejected"] == 6 and report["blank"] == 1


@pytest.mark.parametrize("batch_size", [1000, 7])
def test_a_pipeline_column_gives_the_same_history_on_both_paths(admin, batch_size):
    second = pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    second.name = "Partners"
    second.save()
    pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    rows = [["Deal ID", "Deal Stage", "Entered At", "Pipeline"]]
    for i in range(1, 13):
        pipeline = ["", "Partners", " partners ", "Nope"][i % 4]
        rows += [[f"D-{i}", STAGES[step], f"2025-01-{2 + step:02d} 12:00", pipeline]
                 for step in range(3)]  # fmt: skip
    results = []
    for quick_path in (False, True):
        with transaction.atomic():
            deals = run(admin, "deal", deals_file(), quick_path, batch_size)
            history = run(admin, "stage_history", rows, quick_path, batch_size)
            for report in (deals, history):
                report.pop("seconds", None)
            results.append((history, state(admin)[0]))
            transaction.set_rollback(True)
    assert results[0] == results[1]
    assert results[0][0]["rejected"] == 9  # the pipeline "Nope"


def test_deal_pipelines_by_range_or_by_chunks_learn_the_same(admin, owner, outsider):
    """Ids close together are read by their range, others by chunks of ids: either way only
    the wanted deals the actor may see are learnt."""
    from lejek.dataio import fast, fast_history, writers
    from lejek.pipelines import services as pipeline_services

    pipeline = pipeline_services.pipeline_create(actor=admin, template="probability_weighted")
    stage = pipeline.stages.active().order_by("order").first()

    def deal(by):
        data = {"title": "D", "pipeline_id": pipeline.pk, "stage_id": stage.pk}
        return pipeline_services.deal_create(actor=by, data=data).pk

    mine = [deal(owner) for _ in range(6)]
    theirs = deal(outsider)  # in the middle of the range, not the owner's to see
    mine += [deal(owner) for _ in range(3)]
    for wanted in ({*mine[:5], theirs, *mine[6:]}, {mine[0], mine[-1]}):  # dense, then sparse
        caches = fast.Caches()
        ctx = writers.Context(actor=owner, source="crm", duplicates="update", options={})
        fast_history.deal_pipelines(ctx, caches, wanted)
        assert caches.deal_pipelines == {pk: pipeline.pk for pk in wanted if pk != theirs}
