import hashlib
import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import CommonPasswordValidator

from lejek.accounts.models import Team, User
from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.demo import generate as generate_module
from lejek.demo.generate import DEMO_LOGINS, generate
from lejek.forecasting.models import Snapshot, SnapshotValue
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange, StatusChange
from lejek.pipelines.templates import TEMPLATES

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 2, tzinfo=UTC)
DEALS = 300


@pytest.fixture
def counts() -> dict[str, int]:
    return generate(deals=DEALS, seed=7, now=NOW)


def checksum() -> str:
    """A digest of the demo content that ignores ids (sequences differ between runs)."""
    history = defaultdict(list)
    for change in StageChange.objects.select_related("to_stage").order_by("deal_id", "at"):
        history[change.deal_id].append(f"{change.to_stage.name}@{change.at.isoformat()}")
    lines = []
    deals = Deal.objects.select_related("stage", "pipeline", "owner", "organization")
    for deal in deals.order_by("created_at", "title", "id"):
        lines.append(
            "|".join(
                str(v)
                for v in (
                    deal.title,
                    deal.amount,
                    deal.currency,
                    deal.status,
                    deal.pipeline.template,
                    deal.stage.name,
                    deal.owner.username,
                    deal.organization.name,
                    deal.created_at.isoformat(),
                    deal.closed_at,
                    deal.lost_reason,
                    deal.forecast_category,
                    deal.last_activity_at,
                    deal.next_activity_at,
                    ",".join(history[deal.pk]),
                )
            )
        )
    lines += sorted(f"{lead.email}|{lead.status}|{lead.score}" for lead in Lead.objects.all())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def delete_demo_records() -> None:
    Activity.objects.all().delete()
    Deal.objects.all().delete()
    Lead.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.all().delete()


def test_same_seed_and_now_give_the_same_data():
    generate(deals=120, seed=3, now=NOW)
    first = checksum()
    delete_demo_records()
    generate(deals=120, seed=3, now=NOW)
    assert checksum() == first
    delete_demo_records()
    generate(deals=120, seed=4, now=NOW)
    assert checksum() != first


def test_a_worker_process_builds_the_same_data_in_chunks(monkeypatch):
    monkeypatch.setattr(generate_module, "CHUNK", 50)
    serial = generate(deals=160, seed=5, now=NOW, parallel=False)
    first = checksum()
    delete_demo_records()
    parallel = generate(deals=160, seed=5, now=NOW, parallel=True)
    assert parallel == {**serial, "users": 0, "teams": 0, "pipelines": 0, "stages": 0}
    assert checksum() == first
    assert Deal.objects.count() == 160


def test_counts_are_returned_and_proportional(counts):
    assert counts["users"] == len(DEMO_LOGINS) == User.objects.count()
    assert counts["teams"] == 2 == Team.objects.count()
    assert counts["pipelines"] == len(TEMPLATES) == Pipeline.objects.count()
    stages = sum(len(t.stages) for t in TEMPLATES.values())
    assert counts["stages"] == stages == Stage.objects.count()
    assert counts["deals"] == DEALS == Deal.objects.count()
    assert counts["organizations"] == DEALS // 3 == Organization.objects.count()
    assert counts["people"] == DEALS // 2 == Person.objects.count()
    assert counts["leads"] == DEALS // 2 == Lead.objects.count()
    assert counts["stage_changes"] == StageChange.objects.count() >= DEALS
    assert counts["status_changes"] == StatusChange.objects.count()
    assert counts["activities"] == Activity.objects.count()
    assert 2 * DEALS <= Activity.objects.filter(deal__isnull=False).count() <= 5 * DEALS
    assert counts["deal_people"] == Deal.people.through.objects.count() >= DEALS * 0.9


def test_stage_history_matches_each_deal(counts):
    stages = {s.pk: s for s in Stage.objects.all()}
    history = defaultdict(list)
    backwards = 0
    for change in StageChange.objects.order_by("deal_id", "at", "id"):
        history[change.deal_id].append(change)
    for deal in Deal.objects.all():
        changes = history[deal.pk]
        assert changes, deal
        first, last = changes[0], changes[-1]
        assert first.reason == StageChange.Reason.CREATED and first.from_stage_id is None
        assert first.at == deal.created_at
        assert last.to_stage_id == deal.stage_id
        assert last.at == deal.stage_entered_at
        for before, after in itertools.pairwise(changes):
            assert before.at < after.at
            assert after.from_stage_id == before.to_stage_id
            assert after.reason == StageChange.Reason.MOVED
            # Forward (sometimes skipping a stage), or one stage back and then forward again.
            step = stages[after.to_stage_id].order - stages[before.to_stage_id].order
            assert step >= 1 or step == -1
            backwards += step < 0
        for change in changes:
            assert stages[change.to_stage_id].pipeline_id == deal.pipeline_id == change.pipeline_id
        assert NOW - timedelta(days=731) < deal.created_at < NOW
    assert backwards > 0


def test_won_and_lost_deals_have_their_status_change(counts):
    status_changes = {c.deal_id: c for c in StatusChange.objects.all()}
    assert len(status_changes) == StatusChange.objects.count()  # at most one per deal
    objections = set(Deal.Objection.values)
    seen = set()
    for deal in Deal.objects.select_related("organization"):
        seen.add(deal.status)
        assert deal.amount is None or deal.amount > 0
        change = status_changes.get(deal.pk)
        if deal.status == Deal.Status.OPEN:
            assert change is None and deal.closed_at is None
            continue
        assert change is not None and deal.closed_at is not None
        assert (change.to_status, change.from_status) == (deal.status, Deal.Status.OPEN)
        assert change.at == deal.closed_at >= deal.stage_entered_at
        assert (change.amount, change.currency, change.stage_id) == (
            deal.amount,
            deal.currency,
            deal.stage_id,
        )
        assert deal.amount is not None
        if deal.status == Deal.Status.LOST:
            assert deal.lost_reason and change.lost_reason == deal.lost_reason
            assert deal.objection_tags and set(deal.objection_tags) <= objections
        else:
            assert deal.organization.is_customer
            assert deal.organization.customer_since <= deal.closed_at.date()
    assert seen == {Deal.Status.OPEN, Deal.Status.WON, Deal.Status.LOST}
    won_at_last = Deal.objects.filter(status=Deal.Status.WON, stage__probability=100).count()
    assert 0 < won_at_last < Deal.objects.filter(status=Deal.Status.WON).count()


def test_activity_dates_agree_with_deals(counts):
    done, pending = defaultdict(list), defaultdict(list)
    for activity in Activity.objects.filter(deal__isnull=False):
        if activity.done_at is None:
            pending[activity.deal_id].append(activity.due_at)
        else:
            assert activity.done_at <= NOW
            done[activity.deal_id].append(activity.done_at)
    for deal in Deal.objects.all():
        assert deal.last_activity_at == max(done[deal.pk])
        assert deal.next_activity_at == (min(pending[deal.pk]) if pending[deal.pk] else None)
        assert deal.created_at <= deal.last_activity_at <= (deal.closed_at or NOW)
        if deal.status != Deal.Status.OPEN:
            assert not pending[deal.pk]
    open_deals = Deal.objects.filter(status=Deal.Status.OPEN)
    assert open_deals.filter(next_activity_at__isnull=True).exists()  # the audit has work
    assert open_deals.filter(next_activity_at__isnull=False).exists()
    replies = Activity.objects.filter(is_reply=True)
    assert replies.exists()
    assert not replies.exclude(direction=Activity.Direction.INBOUND).exists()
    assert Activity.objects.filter(kind=Activity.Kind.MEETING, duration_minutes__gt=0).exists()


def test_leads_cover_statuses_and_conversions(counts):
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert {Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED} <= statuses
    assert len(statuses) >= 5
    assert not Lead.objects.filter(status=Lead.Status.DISQUALIFIED, disqualified_reason="").exists()
    for deal in Deal.objects.filter(lead__isnull=False).select_related("lead"):
        assert deal.lead.status == Lead.Status.CONVERTED
        assert deal.lead.converted_at == deal.created_at > deal.lead.created_at
    contacted = Lead.objects.filter(first_outbound_at__isnull=False)
    assert contacted.exists()
    for lead in contacted:
        assert lead.created_at < lead.first_outbound_at <= NOW


def test_running_again_reuses_users_and_pipelines(counts):
    again = generate(deals=40, seed=7, now=NOW)
    assert (again["users"], again["teams"], again["pipelines"], again["stages"]) == (0, 0, 0, 0)
    assert User.objects.count() == len(DEMO_LOGINS)
    assert Pipeline.objects.count() == len(TEMPLATES)
    assert Deal.objects.count() == DEALS + 40


def test_demo_logins_work_and_are_not_common_passwords(counts):
    roles = [role for _, _, role in DEMO_LOGINS]
    assert roles.count(User.Role.ADMIN) == 1 and roles.count(User.Role.MANAGER) == 2
    assert roles.count(User.Role.REP) == 8
    for username, password, role in DEMO_LOGINS:
        user = authenticate(username=username, password=password)
        assert user is not None and user.role == role
        CommonPasswordValidator().validate(password)
    managers = User.objects.filter(role=User.Role.MANAGER)
    assert {m.team_id for m in managers} == set(Team.objects.values_list("id", flat=True))


def test_progress_is_reported_per_chunk():
    calls = []
    generate(deals=10, now=NOW, progress=lambda *args: calls.append(args))
    assert calls[0] == ("users", 0, len(DEMO_LOGINS))
    assert ("users", len(DEMO_LOGINS), len(DEMO_LOGINS)) in calls
    assert ("deals", 0, 10) in calls and ("deals", 10, 10) in calls
    assert calls[-1] == ("forecast snapshots", 1, 1)  # the reps' forecasts, rebuilt last
    assert Deal.objects.count() == 10


def test_zero_deals_only_sets_up_users_and_pipelines():
    counts = generate(deals=0, now=NOW)
    assert counts["deals"] == 0 and counts["users"] == len(DEMO_LOGINS)
    assert Pipeline.objects.count() == len(TEMPLATES)


def test_demo_reps_have_forecasts_rebuilt_from_history(counts):
    """Forecast accuracy per rep is on the scorecards from the first day of the demo."""
    replayed = Snapshot.objects.filter(kind=Snapshot.Kind.REPLAYED)
    owners = set(replayed.values_list("owner_id", flat=True))
    assert owners and owners <= set(User.objects.values_list("pk", flat=True))
    assert replayed.values("as_of").distinct().count() >= 12  # a year of month starts
    month = NOW.date().replace(day=1)
    assert replayed.filter(as_of=month).exists()
    assert SnapshotValue.objects.filter(snapshot__in=replayed, method="weighted").exists()
