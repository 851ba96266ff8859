"""The backtest sees each past month as it was on its first day, never later."""

import datetime
from decimal import Decimal

from lejek.analytics.tests.helpers import History, clock, t
from lejek.core.models import AuditEntry
from lejek.forecasting import replayed
from lejek.forecasting.backtest import backtest, months_before
from lejek.forecasting.gather import Scope
from lejek.forecasting.history import replay
from lejek.forecasting.models import Snapshot
from lejek.pipelines import services
from lejek.pipelines.tests import factories

MARCH = datetime.date(2025, 3, 1)


def build(admin, owner):  # type: ignore[no-untyped-def]
    """A deal in "Discovery call" (10 %) on 1 March, worth 1,000, expected in March.

    After 1 March it moves to "Final call" (80 %), its amount becomes 5,000 and its
    expected date moves to April, and it is won on 20 March. A backtest that peeked at
    today's stage, amount, date or status would forecast March differently.
    """
    pipeline = factories.pipeline(admin)
    story = History(owner, pipeline)
    deal = story.deal(
        "2025-02-10", stage=0, amount=1000, expected_close_date=datetime.date(2025, 3, 25)
    )
    story.move(deal, "2025-03-05", 4)
    deal.refresh_from_db()
    with clock(t("2025-03-06")):
        services.deal_update(
            actor=owner,
            deal=deal,
            data={"amount": Decimal("5000"), "expected_close_date": datetime.date(2025, 4, 2)},
            version=deal.version,
        )
    story.won(deal, "2025-03-20")
    # A second deal created after 1 March must not be seen on 1 March at all.
    story.deal("2025-03-10", stage=4, amount=700, expected_close_date=datetime.date(2025, 3, 30))
    return deal


def test_replay_uses_only_what_was_known_on_the_day(admin, owner) -> None:  # type: ignore[no-untyped-def]
    deal = build(admin, owner)
    found = replay(Scope(), [MARCH, datetime.date(2025, 4, 1)])
    (on_march,) = found.open_on(MARCH)
    assert on_march.id == deal.pk
    assert on_march.probability == 10
    assert on_march.amount == Decimal("1000.00")
    assert on_march.expected_close == datetime.date(2025, 3, 25)
    # On 1 April the won deal is closed; the later deal is open at 80 %.
    assert [d.amount for d in found.open_on(datetime.date(2025, 4, 1))] == [Decimal("700.00")]
    assert found.actual[MARCH] == Decimal("5000.00")
    # Its stays are training data only from April on.
    assert set(found.stays) == {MARCH}


def test_backtest_forecasts_march_from_march_first(admin, owner) -> None:  # type: ignore[no-untyped-def]
    build(admin, owner)
    result = backtest(Scope(), today=datetime.date(2025, 4, 15), months=2)
    february, march = result["months"]
    assert february["month"] == datetime.date(2025, 2, 1)
    assert february["open_deals"] == 0
    assert march["actual"] == Decimal("5000.00")
    # Known on 1 March: 1,000 at 10 %. Peeking would give 5,000 at 80 % in April, or nothing.
    assert march["forecasts"]["weighted"] == Decimal("100.00")
    assert march["forecasts"]["commit"] == Decimal("0.00")  # the deal was in "pipeline"
    assert march["accuracy"]["weighted"] == 1 - Decimal("4900") / Decimal("5000")
    # Nothing had closed before 1 March: no history for the run-rate.
    assert march["forecasts"]["run_rate"] == Decimal("0.00")
    assert result["recommended"] in result["mean_accuracy"]


def test_months_before() -> None:
    assert months_before(datetime.date(2025, 1, 15), 2) == [
        datetime.date(2024, 11, 1),
        datetime.date(2024, 12, 1),
    ]


def test_replayed_rep_snapshots_see_each_month_from_its_first_day(admin, owner) -> None:  # type: ignore[no-untyped-def]
    """Per-rep snapshots rebuilt from history: the forecast known on 1 March, not today's;
    a second run adds nothing."""
    build(admin, owner)
    saved = replayed.replay_rep_snapshots(today=datetime.date(2025, 4, 15), months=2)
    assert saved == 2  # 1 March and 1 April: the owner had open deals; 1 February none
    march = Snapshot.objects.get(owner=owner, as_of=MARCH, kind=Snapshot.Kind.REPLAYED)
    values = {(v.method, v.month): v.amount for v in march.values.all()}
    assert values[("weighted", MARCH)] == Decimal("100.00")  # 1,000 at 10 %, as on 1 March
    assert values[("commit", MARCH)] == Decimal("0.00")
    assert march.horizon == 3 and len(values) == 9
    april = Snapshot.objects.get(owner=owner, as_of=datetime.date(2025, 4, 1))
    # On 1 April: the later deal, 700 at 80 %, overdue so counted in April.
    april_weighted = april.values.get(method="weighted", month=datetime.date(2025, 4, 1))
    assert april_weighted.amount == Decimal("560.00")
    assert replayed.replay_rep_snapshots(today=datetime.date(2025, 4, 15), months=2) == 0
    assert AuditEntry.objects.filter(entity_type="snapshot", action="created").count() == 2


def test_backtest_months_in_forked_processes_match(admin, owner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Months forecast in forked processes (where the process may fork) match serial ones."""
    build(admin, owner)
    serial = backtest(Scope(), today=datetime.date(2025, 5, 15), months=3)
    monkeypatch.setattr("lejek.forecasting.backtest.PARALLEL_FROM", 0)
    spread = backtest(Scope(), today=datetime.date(2025, 5, 15), months=3)
    assert spread["months"] == serial["months"]
    assert spread["recommended"] == serial["recommended"]


def test_replay_in_runs_of_ids_equals_one_pass(admin, owner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A big history is replayed in runs of deal ids (in children where they may read);
    merged in id order, the runs give exactly what one pass gives, order included."""
    build(admin, owner)
    pipeline = factories.pipeline(admin)
    story = History(owner, pipeline)
    for k in range(12):
        deal = story.deal(f"2025-0{1 + k % 3}-{10 + k:02d}", stage=k % 3, amount=100 * (k + 1))
        story.move(deal, f"2025-0{2 + k % 3}-0{1 + k % 9}", 2 + k % 3)
        if k % 4 == 0:
            story.won(deal, f"2025-0{3 + k % 2}-2{k % 8}")
        elif k % 4 == 1:
            story.lost(deal, f"2025-04-1{k % 9}")
        elif k % 4 == 2:
            story.reopen(story.won(deal, "2025-03-03"), "2025-03-28")
    days = months_before(datetime.date(2025, 6, 15), 5)
    whole = replay(Scope(), days)
    monkeypatch.setattr("lejek.forecasting.history.PARALLEL_FROM", 1)
    monkeypatch.setattr("lejek.forecasting.history.PIECES_PER_CPU", 3)
    pieces = replay(Scope(), days)
    assert whole.won and whole.actual and whole.stays and whole.open_count() > 12
    assert pieces.packed_open and pieces.open_count() == whole.open_count()
    for day in days:
        assert pieces.open_on(day) == whole.open_on(day)
    assert not pieces.packed_open
    assert pieces.won == whole.won and pieces.actual == whole.actual
    assert pieces.stays == whole.stays and pieces.close_days == whole.close_days
    assert pieces.unconvertible == whole.unconvertible
    for month, counts in whole.stays.items():
        assert list(pieces.stays[month].cells) == list(counts.cells)
    for month, by_stage in whole.close_days.items():
        assert list(pieces.close_days[month].items()) == list(by_stage.items())
