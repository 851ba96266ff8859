"""Hand-built histories: deals moved, won, lost and reopened at chosen instants."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.analytics import filters, selectors, summaries
from lejek.pipelines import services
from lejek.pipelines.models import Deal, Pipeline, Stage

UTC = datetime.UTC


def t(day: str, hour: int = 12) -> datetime.datetime:
    """An ISO moment in UTC; a bare day means `hour`:00 (12:00 UTC is the same day in Warsaw)."""
    moment = datetime.datetime.fromisoformat(day)
    if "T" not in day:
        moment = moment.replace(hour=hour)
    return moment.replace(tzinfo=UTC)


def recorded(monkeypatch: Any, owner: Any, name: str) -> list[Any]:
    """Wrap `owner.name` so that each call's arguments are recorded (the argument alone
    when there is one); returns the record."""
    calls: list[Any] = []
    unwatched = getattr(owner, name)

    def watched(*args: Any) -> Any:
        calls.append(args[0] if len(args) == 1 else args)
        return unwatched(*args)

    monkeypatch.setattr(owner, name, watched)
    return calls


@contextmanager
def clock(moment: datetime.datetime) -> Iterator[None]:
    """Services read `timezone.now()`: make it `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class History:
    """Builds one deal's history through the real services, each step at a given time."""

    def __init__(self, actor: User, pipeline: Pipeline) -> None:
        self.actor = actor
        self.pipeline = pipeline
        self.stages = list(pipeline.stages.active().order_by("order"))

    def stage(self, index: int) -> Stage:
        return self.stages[index]

    def deal(self, when: str, stage: int = 0, **data: Any) -> Deal:
        data = {"title": "Deal", "pipeline_id": self.pipeline.pk, **data}
        data["stage_id"] = self.stages[stage].pk
        if isinstance(data.get("amount"), int | str):
            data["amount"] = Decimal(str(data["amount"]))
        with clock(t(when)):
            return services.deal_create(actor=self.actor, data=data)

    def move(self, deal: Deal, when: str, stage: int) -> Deal:
        deal.refresh_from_db()
        with clock(t(when)):
            return services.deal_move_to_stage(
                actor=self.actor, deal=deal, stage=self.stages[stage], version=deal.version
            )

    def won(self, deal: Deal, when: str) -> Deal:
        deal.refresh_from_db()
        with clock(t(when)):
            return services.deal_mark_won(actor=self.actor, deal=deal, version=deal.version)

    def lost(self, deal: Deal, when: str) -> Deal:
        deal.refresh_from_db()
        with clock(t(when)):
            return services.deal_mark_lost(
                actor=self.actor, deal=deal, version=deal.version, lost_reason="Budget"
            )

    def reopen(self, deal: Deal, when: str) -> Deal:
        deal.refresh_from_db()
        with clock(t(when)):
            return services.deal_reopen(actor=self.actor, deal=deal, version=deal.version)


def activity(
    owner: User, kind: str, *, created: str, done: str | None = None, **fields: Any
) -> Activity:
    """An activity written directly with chosen times, then summarised."""
    found = Activity.objects.create(
        owner=owner,
        kind=kind,
        created_at=t(created),
        done_at=t(done) if done else None,
        **fields,
    )
    summaries.refresh_activities([found.pk])
    return found


def report(
    user: User, start: str | None = None, end: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    group_by = kwargs.pop("group_by", None)
    all_time = kwargs.pop("all_time", False)
    period = filters.period_from(start, end, all_time=all_time)
    return selectors.report(filters.resolve(user=user, period=period, **kwargs), group_by=group_by)
