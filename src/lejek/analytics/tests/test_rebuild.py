"""Random histories: incremental summaries == rebuilt summaries == a direct recomputation."""

import contextlib
import datetime
import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lejek.accounts import services as account_services
from lejek.accounts.models import Team
from lejek.activities import services as activity_services
from lejek.analytics import feed, rollups
from lejek.analytics import services as analytics_services
from lejek.analytics.models import (
    ActivitySummary,
    DealStageSummary,
    DealSummary,
    LeadSummary,
    Rollup,
)
from lejek.analytics.tests import reference
from lejek.analytics.tests.helpers import clock, report
from lejek.contacts.models import Organization
from lejek.core.errors import DomainError
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.pipelines import services
from lejek.pipelines.models import Deal, Pipeline

OPS = (
    ("create", 4),
    ("move", 6),
    ("won", 3),
    ("lost", 2),
    ("reopen", 2),
    ("update", 2),
    ("delete", 1),
    ("restore", 1),
    ("activity", 3),
    ("lead", 2),
    ("rate", 1),
    ("reorder", 1),
    ("remove_stage", 1),
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from([op for op, weight in OPS for _ in range(weight)]),
        st.integers(0, 2**31),
        st.integers(1, 24 * 20),
    ),
    min_size=5,
    max_size=40,
)


def snapshot() -> dict[str, Any]:
    """Every summary row and every non-zero rollup row, comparable as sets."""

    def rows(model: Any, exclude: tuple[str, ...] = ("id",)) -> set[tuple[Any, ...]]:
        return {
            tuple(sorted((k, v) for k, v in row.items() if k not in exclude))
            for row in model.objects.values()
        }

    rollup = {
        tuple(r[k] for k in rollups.KEY): tuple(r[v] for v in rollups.VALUES)
        for r in Rollup.objects.values()
        if any(r[v] for v in rollups.VALUES)
    }
    return {
        "deals": rows(DealSummary),
        "stages": rows(DealStageSummary),
        "leads": rows(LeadSummary),
        "activities": rows(ActivitySummary),
        "rollup": rollup,
    }


class RandomHistoryTests(TestCase):
    def setUp(self) -> None:
        team = Team.objects.create(name="T")
        self.admin = account_services.user_create(username="boss", password="x" * 10, role="admin")
        self.reps = [
            account_services.user_create(
                username=f"rep{i}", password="x" * 10, role="rep", team=team
            )
            for i in range(2)
        ]
        self.orgs = [
            Organization.objects.create(owner=self.reps[0], name=f"O{i}") for i in range(2)
        ]
        self.pipelines = [
            services.pipeline_create(actor=self.admin, template="probability_weighted"),
            services.pipeline_create(actor=self.admin, template="outbound_b2b"),
        ]

    def run_step(self, op: str, seed: int, now: datetime.datetime) -> None:
        rng = random.Random(seed)
        deals = list(Deal.objects.order_by("pk"))
        alive = [d for d in deals if d.deleted_at is None]
        wanted = {"reopen": ("won", "lost"), "move": ("open",), "won": ("open",), "lost": ("open",)}
        fitting = [d for d in alive if d.status in wanted.get(op, (d.status,))]
        deal = rng.choice(fitting) if fitting else None
        actor = self.admin
        if op == "create" or deal is None:
            pipeline = rng.choice(self.pipelines)
            stages = list(pipeline.stages.active())
            services.deal_create(
                actor=actor,
                data={
                    "title": "D",
                    "pipeline_id": pipeline.pk,
                    "stage_id": rng.choice(stages).pk,
                    "owner_id": rng.choice(self.reps).pk,
                    "amount": rng.choice([None, Decimal("100.50"), Decimal(rng.randint(1, 9999))]),
                    "currency": rng.choice(["USD", "EUR", "CHF"]),
                    "organization_id": rng.choice([None, *[o.pk for o in self.orgs]]),
                    "contract_years": rng.choice([None, Decimal(2)]),
                },
            )
        elif op == "move":
            pipeline = rng.choice(self.pipelines)
            stage = rng.choice(list(pipeline.stages.active()))
            services.deal_move_to_stage(actor=actor, deal=deal, stage=stage, version=deal.version)
        elif op == "won":
            services.deal_mark_won(actor=actor, deal=deal, version=deal.version)
        elif op == "lost":
            services.deal_mark_lost(actor=actor, deal=deal, version=deal.version, lost_reason="x")
        elif op == "reopen":
            services.deal_reopen(actor=actor, deal=deal, version=deal.version)
        elif op == "update":
            data = rng.choice(
                [
                    {"owner_id": rng.choice(self.reps).pk},
                    {"amount": Decimal(rng.randint(1, 500))},
                    {"currency": rng.choice(["USD", "EUR"])},
                    {"source": rng.choice(["referral", "event"])},
                    {"organization_id": rng.choice([o.pk for o in self.orgs])},
                ]
            )
            services.deal_update(actor=actor, deal=deal, data=data, version=deal.version)
        elif op == "delete":
            services.deal_delete(actor=actor, deal=deal, version=deal.version)
        elif op == "restore":
            gone = [d for d in deals if d.deleted_at is not None]
            if gone:
                services.deal_restore(actor=actor, deal=rng.choice(gone))
        elif op == "activity":
            kind = rng.choice(["email", "call", "meeting"])
            data: dict[str, Any] = {"kind": kind, "deal_id": deal.pk, "owner_id": deal.owner_id}
            if kind != "meeting":
                data["direction"] = rng.choice(["outbound", "inbound"])
                data["is_reply"] = data["direction"] == "inbound"
            if rng.random() < 0.7:
                data["done_at"] = now
                data["duration_minutes"] = rng.randint(1, 60)
            activity_services.activity_create(actor=actor, data=data)
        elif op == "lead":
            leads = list(Lead.objects.alive().order_by("pk"))
            if not leads or rng.random() < 0.4:
                lead = lead_services.lead_create(
                    actor=actor,
                    data={
                        "title": "L",
                        "owner_id": rng.choice(self.reps).pk,
                        "source": rng.choice(["event", "referral"]),
                    },
                )
                # The model's default clock is not the patched one: date the lead like the rest.
                Lead.objects.filter(pk=lead.pk).update(created_at=now)
            elif rng.random() < 0.7:
                activity_services.activity_create(
                    actor=actor,
                    data={
                        "kind": rng.choice(["email", "call"]),
                        "lead_id": rng.choice(leads).pk,
                        "direction": "outbound",
                        "done_at": now,
                    },
                )
            else:
                lead = rng.choice(leads)
                lead_services.lead_delete(actor=actor, lead=lead, version=lead.version)
        elif op == "rate":
            analytics_services.rate_create(
                actor=actor,
                currency=rng.choice(["EUR", "CHF"]),
                rate=Decimal(rng.randint(50, 150)) / 100,
                valid_from=(now - datetime.timedelta(days=rng.randint(0, 30))).date(),
            )
        elif op == "reorder":
            pipeline = rng.choice(self.pipelines)
            ids = list(pipeline.stages.active().values_list("pk", flat=True))
            rng.shuffle(ids)
            services.stages_reorder(actor=actor, pipeline=pipeline, stage_ids=ids)
        elif op == "remove_stage":
            pipeline = rng.choice(self.pipelines)
            stages = list(pipeline.stages.active())
            if len(stages) > 3:
                stage, target = rng.sample(stages, 2)
                services.stage_remove(actor=actor, stage=stage, move_to=target)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(steps=STEPS)
    def test_incremental_equals_rebuild_equals_direct(self, steps: list[Any]) -> None:
        now = datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.UTC)
        for op, seed, hours in steps:
            now += datetime.timedelta(hours=hours)
            # A refused step (a closed deal moved, a rate set twice for a day) changes nothing.
            with clock(now), contextlib.suppress(DomainError):
                self.run_step(op, seed, now)
        with clock(now):
            feed.catch_up()
            incremental = snapshot()
            call_command("rebuild_analytics", verbosity=0)
            rebuilt = snapshot()
            for name in incremental:
                self.assertEqual(incremental[name], rebuilt[name], name)

            direct = reference.all_time()
            result = report(self.admin, all_time=True)
        m = result["current"]
        self.assertEqual(
            (m["won"], m["lost"], m["open_now"]), (direct["won"], direct["lost"], direct["open"])
        )
        self.assertEqual(m["revenue_won"], direct["revenue"])
        self.assertEqual(m["new_leads"], direct["new_leads"])
        self.assertEqual(m["lead_response_seconds"], direct["lead_response"])
        if direct["won"]:
            self.assertEqual(
                m["average_sales_cycle_days"],
                Fraction(direct["cycle_seconds"], direct["won"] * 86400),
            )
        for funnel in result["funnels"]:
            for step in funnel["steps"]:
                self.assertEqual(step["reached"], direct["reached"].get(step["stage_id"], 0))
                seconds = direct["stay_seconds"].get(step["stage_id"], 0)
                count = direct["stay_deals"].get(step["stage_id"], 0)
                expected = Fraction(seconds, count * 86400) if count else None
                self.assertEqual(step["days_in_stage"], expected)
        self.assertTrue(Pipeline.objects.exists())
