"""Shared set-up for salesops tests: a pipeline and deals won at chosen moments."""

import datetime
from decimal import Decimal
from typing import Any

from lejek.accounts.models import User
from lejek.analytics.tests.helpers import History, clock, t
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, Pipeline
from lejek.salesops import plans
from lejek.salesops.models import CommissionPlan

__all__ = ["History", "clock", "pipeline", "plan_for", "t", "won_deal"]


def pipeline(admin: User) -> Pipeline:
    return pipeline_services.pipeline_create(actor=admin, template="probability_weighted")


def won_deal(owner: User, pipeline: Pipeline, amount: Any, created: str, won: str) -> Deal:
    h = History(owner, pipeline)
    deal = h.deal(created, amount=amount, currency="USD", title=f"Deal {amount}")
    return h.won(deal, won)


def plan_for(
    admin: User, *reps: User, name: str = "Junior", target: str = "10000", **extra: Any
) -> CommissionPlan:
    data = {
        "name": name,
        "base_pay": Decimal("3000"),
        "rate": Decimal("0.10"),
        "target": Decimal(target),
        "kind": "cliff",
        **extra,
    }
    plan = plans.plan_create(actor=admin, data=data)
    for rep in reps:
        plans.plan_assign(actor=admin, user=rep, plan=plan)
    return plan


def month(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text + "-01")
