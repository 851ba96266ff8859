"""Deterministic demo data: users, teams, the template pipelines and two years of sales history.

`generate(deals=N, seed=S, now=T)` always builds the same records for the same
(N, S, T): every random draw comes from `random.Random` seeded per chunk, and
every date is relative to `now`. Rows are built as plain dicts in chunks of
`CHUNK` deals and inserted in bulk (see `bulk`), one transaction per chunk, so
memory stays flat up to millions of deals. With more than one chunk, a worker
process builds the next chunks while this one inserts (see `chunks`).

Running it again adds another batch of the same kind (the users, teams and
pipelines are reused, never duplicated). Demo rows are history as if imported:
they carry their stage and status changes but no audit entries.
"""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User
from lejek.analytics import demo as analytics_demo
from lejek.analytics.loaders import local_date
from lejek.demo import bulk, chunks
from lejek.demo.context import HISTORY_DAYS, Clock, Context, PipelineSpec, Seller, StageSpec
from lejek.forecasting import replayed
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Pipeline
from lejek.pipelines.templates import TEMPLATES

Progress = Callable[[str, int, int], None]

CHUNK = 5_000
TEAMS = ("Team Warsaw", "Team Kraków")
# username, password, role, team (index into TEAMS), first name, last name, selling since (days ago)
USERS = (
    ("admin", "admin-demo", User.Role.ADMIN, None, "Ada", "Admin", None),
    ("anna.manager", "anna-demo", User.Role.MANAGER, 0, "Anna", "Nowak", None),
    ("marek.rep", "marek-demo", User.Role.REP, 0, "Marek", "Kowalski", None),
    ("kasia.rep", "kasia-demo", User.Role.REP, 0, "Katarzyna", "Wiśniewska", None),
    ("igor.rep", "igor-demo", User.Role.REP, 0, "Игорь", "Соколов", None),
    ("emily.rep", "emily-demo", User.Role.REP, 0, "Emily", "Clarke", 150),
    ("piotr.manager", "piotr-demo", User.Role.MANAGER, 1, "Piotr", "Zieliński", None),
    ("ola.rep", "ola-demo", User.Role.REP, 1, "Aleksandra", "Mazur", None),
    ("tomasz.rep", "tomasz-demo", User.Role.REP, 1, "Tomasz", "Wójcik", None),
    ("natasha.rep", "natasha-demo", User.Role.REP, 1, "Наталья", "Орлова", 300),
    ("james.rep", "james-demo", User.Role.REP, 1, "James", "Walker", None),
)
DEMO_LOGINS: list[tuple[str, str, str]] = [(u[0], u[1], str(u[2])) for u in USERS]
PIPELINE_WEIGHTS = {
    "outbound_b2b": 35,
    "seven_stage": 25,
    "probability_weighted": 25,
    "sales_cycle": 15,
}


def generate(
    *,
    deals: int,
    seed: int = 1,
    progress: Progress | None = None,
    now: datetime | None = None,
    parallel: bool | None = None,
) -> dict[str, int]:
    """Create `deals` deals with their companies, people, leads and history; return row counts.

    `parallel` builds rows in a worker process; by default only when there is more
    than one chunk (starting the worker costs about a second).
    """
    if deals < 0:
        raise ValueError("deals must be zero or more")
    if now is None:
        now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    elif timezone.is_naive(now):
        now = timezone.make_aware(now, timezone.get_current_timezone())
    clock = Clock.at(now)
    setup_tables = ("users", "teams", "pipelines", "stages")
    counts = dict.fromkeys((*setup_tables, *(name for name, _ in chunks.TABLES)), 0)
    report = progress or (lambda step, done, total: None)
    ctx = _setup(clock, counts, report)
    report("deals", 0, deals)
    plan = chunks.chunks(deals, CHUNK)
    in_parallel = len(plan) > 1 if parallel is None else parallel
    load = chunks.load_in_parallel if in_parallel else chunks.load_serially
    load(ctx, seed, plan, counts, lambda done: report("deals", done, deals))
    bulk.analyze([model for _, model in chunks.TABLES])
    analytics_demo.prepare(now=clock.now)
    report("forecast snapshots", 0, 1)
    # Each rep's monthly forecasts as history shows them: forecast accuracy from day one.
    replayed.replay_rep_snapshots(today=local_date(clock.now), months=12)
    report("forecast snapshots", 1, 1)
    return counts


def _setup(clock: Clock, counts: dict[str, int], report: Progress) -> Context:
    """The demo users, teams and pipelines: found if they exist, created if not.

    Creating a user hashes its password (about a second each with Django's default
    hasher), so the users get their own progress step.
    """
    teams = []
    for name in TEAMS:
        team, created = Team.objects.get_or_create(name=name)
        teams.append(team)
        counts["teams"] += created
    sellers = []
    report("users", 0, len(USERS))
    for done, (username, password, role, team_index, first, last, days_ago) in enumerate(USERS):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                username=username,
                password=password,
                role=role,
                team=None if team_index is None else teams[team_index],
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
            )
            user.started_at = clock.date(-(days_ago or HISTORY_DAYS + 60))
            user.save(update_fields=["started_at"])
            counts["users"] += 1
        report("users", done + 1, len(USERS))
        if role == User.Role.ADMIN:
            continue
        since = (user.started_at - clock.midnight.date()).days if user.started_at else None
        seller = Seller(user.pk, user.team_id, since if since is not None else -HISTORY_DAYS - 60)
        # Managers sell too, but half as much as their reps.
        sellers += [seller] if role == User.Role.MANAGER else [seller, seller]
    return Context(clock=clock, sellers=sellers, pipelines=_pipelines(counts))


def _pipelines(counts: dict[str, int]) -> list[PipelineSpec]:
    """One pipeline per seed template, created through the service as an admin would."""
    specs = []
    for key, template in TEMPLATES.items():
        pipeline = Pipeline.objects.filter(template=key).order_by("order", "id").first()
        if pipeline is None:
            admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("id").first()
            if admin is None:
                raise ValueError("An active administrator is needed to create the pipelines.")
            pipeline = pipeline_services.pipeline_create(actor=admin, template=key)
            counts["pipelines"] += 1
            counts["stages"] += len(template.stages)
        stages = [
            StageSpec(s.pk, s.probability, s.rotting_days)
            for s in pipeline.stages.active().order_by("order", "id")
        ]
        if len(stages) >= 2:
            specs.append(PipelineSpec(pipeline.pk, stages, PIPELINE_WEIGHTS.get(key, 20)))
    if not specs:
        raise ValueError("No pipeline with at least two stages to put demo deals in.")
    return specs
