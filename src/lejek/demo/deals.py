"""Demo deals with their full history: stage moves, the close, and the activities around them.

A deal is created on some day of the last two years and walks forward through
its pipeline's stages, spending days to weeks in each. Often it steps back a
stage and forward again (a proposal reworked, a demo repeated for a new
stakeholder), so a deal has about eight stage changes in all. At every stage it
may be lost; near the end it may be won early; reaching the last stage wins it.
A deal whose next move would fall after today stays open where it is.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from lejek.activities.models import Activity
from lejek.demo import records, texts
from lejek.demo.bulk import Row
from lejek.demo.context import HISTORY_DAYS, Context, Seller, StageSpec, Weighted, lognormal
from lejek.pipelines.models import Deal, StageChange

Kind = Activity.Kind
Direction = Activity.Direction
Status = Deal.Status
Category = Deal.ForecastCategory

DONE_KINDS = Weighted({Kind.CALL: 35, Kind.EMAIL: 35, Kind.MEETING: 20, Kind.TASK: 10})
NEXT_KINDS = Weighted({Kind.CALL: 35, Kind.MEETING: 25, Kind.TASK: 30, Kind.EMAIL: 10})
OBJECTIONS = tuple(Deal.Objection.values)
BOUNCE = 0.5  # chance, after each step forward, of stepping back a stage and forward again
DONE_PER_DEAL = (2, 3, 4, 4, 5)  # done activities (emails may add a reply): ~5 per deal in all


@dataclass
class Rows:
    """Everything one chunk inserts, in dependency order, as rows keyed by attname."""

    organizations: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    leads: list[Row] = field(default_factory=list)
    deals: list[Row] = field(default_factory=list)
    deal_people: list[Row] = field(default_factory=list)
    stage_changes: list[Row] = field(default_factory=list)
    status_changes: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)


class DealBuilder:
    """Appends deals, their history and the leads they came from to `rows`.

    Ids are handed in: `lead_ids` is consumed by converted leads first, and what
    is left over is for the leads that never became deals.
    """

    def __init__(self, ctx: Context, rng: random.Random, rows: Rows, lead_ids: list[int]) -> None:
        self.ctx, self.rng, self.rows = ctx, rng, rows
        self.lead_ids = lead_ids
        self.leads_used = 0

    def add(self, pk: int, org: Row, contacts: list[Row]) -> Row:
        ctx, rng, clock = self.ctx, self.rng, self.ctx.clock
        # More deals recently than two years ago: the business grows.
        day0 = -1 - int((1 - rng.random() ** 0.8) * HISTORY_DAYS)
        spec = rng.choices(ctx.pipelines, cum_weights=ctx.pipeline_cum_weights)[0]
        stages = spec.stages
        seller = ctx.seller_for(rng, day0, preferred=ctx.by_user.get(org["owner_id"]))
        t0 = clock.moment(rng, day0)
        people = rng.sample(contacts, min(len(contacts), rng.choice((1, 1, 2)))) if contacts else []
        lead = None
        if self.leads_used < len(self.lead_ids) and rng.random() < 0.2:
            lead, lead_acts = records.lead(
                ctx,
                rng,
                self.lead_ids[self.leads_used],
                org=org,
                contact=people[0] if people else None,
                converted_at=t0,
                seller=seller,
            )
            self.leads_used += 1
            self.rows.leads.append(lead)
            self.rows.activities.extend(lead_acts)
        source = lead["source"] if lead else records.SOURCES.pick(rng)

        path, status, closed = self._walk(stages, day0, t0)
        currency = records.CURRENCIES.pick(rng)
        amount: Decimal | None = records.money(rng, currency)
        last_k, entered = path[-1]
        if status == Status.OPEN and last_k <= 1 and rng.random() < 0.1:
            amount = None  # not estimated yet: the pipeline audit lists these
        deal: Row = {
            "id": pk,
            "owner_id": seller.id,
            "title": f"{org['name']}: {rng.choice(texts.PRODUCTS)}",
            "organization_id": org["id"],
            "lead_id": lead["id"] if lead else None,
            "pipeline_id": spec.id,
            "stage_id": spec.stage_ids[last_k],
            "amount": amount,
            "currency": currency,
            "contract_years": Decimal(rng.choice((1, 1, 2, 3))) if rng.random() < 0.35 else None,
            "expected_close_date": clock.date(day0 + lognormal(rng, 45, 0.5)),
            "source": source,
            "status": status,
            "stage_entered_at": entered,
            "closed_at": closed,
            "created_at": t0,
            "version": len(path) + (0 if closed is None else 1),
            "lost_reason": "",
            "objection_tags": [],
            "next_step": "",
        }
        self._forecast(deal, stages[last_k].probability)
        if status == Status.LOST:
            reason = rng.randrange(len(texts.LOST_REASONS))
            tags = list(texts.LOST_REASON_TAGS[reason])
            extra = rng.choice(OBJECTIONS)
            if rng.random() < 0.2 and extra not in tags:
                tags.append(extra)
            deal["lost_reason"], deal["objection_tags"] = texts.LOST_REASONS[reason], tags
        elif status == Status.OPEN:
            deal["next_step"] = rng.choice(texts.NEXT_STEPS)

        self._history(deal, seller, path, spec.stage_ids)
        self._activities(deal, seller, people, day0)
        deal["updated_at"] = max(
            d for d in (entered, closed, deal["last_activity_at"]) if d is not None
        )
        if closed is not None and status == Status.WON:
            since = closed.date()
            if org["is_customer"] is False or since < org["customer_since"]:
                org["is_customer"], org["customer_since"] = True, since
        # The company was known before its first deal.
        org["created_at"] = min(org["created_at"], clock.moment(rng, day0 - rng.randint(1, 30)))
        self.rows.deals.append(deal)
        self.rows.deal_people.extend({"deal_id": pk, "person_id": p["id"]} for p in people)
        return deal

    def _walk(
        self, stages: list[StageSpec], day0: int, t0: datetime
    ) -> tuple[list[tuple[int, datetime]], str, datetime | None]:
        """The stages entered [(index, at)], the final status and when it closed."""
        rng, clock, last = self.rng, self.ctx.clock, len(stages) - 1
        k = 1 if last > 2 and rng.random() < 0.15 else 0
        path = [(k, t0)]
        day = day0
        stalled = rng.random() < 0.12
        while k < last:
            # Typical time in a stage is under half its rotting limit; some deals rot anyway.
            dwell = lognormal(rng, 0.45 * (stages[k].rotting_days or 14), 0.7)
            if stalled:
                dwell *= rng.randint(3, 10)
            day += dwell
            if day > -1:
                return path, Status.OPEN, None
            r = rng.random()
            lose = 0.2 if k == 0 else 0.14
            if r < lose:
                return path, Status.LOST, clock.moment(rng, day)
            if k == last - 1 and r < lose + 0.05:
                return path, Status.WON, clock.moment(rng, day)  # signed before the last step
            k += 2 if k + 2 < last and rng.random() < 0.05 else 1
            path.append((k, clock.moment(rng, day)))
            while 0 < k < last and rng.random() < BOUNCE:
                back = day + lognormal(rng, 3, 0.5)
                again = back + lognormal(rng, 4, 0.5)
                if again > -1:
                    break
                path += [(k - 1, clock.moment(rng, back)), (k, clock.moment(rng, again))]
                day = again
        return path, Status.WON, path[-1][1]

    def _forecast(self, deal: Row, probability: int) -> None:
        rng, status = self.rng, deal["status"]
        if status == Status.WON:
            category = Category.COMMIT
        elif status == Status.LOST:
            category = Category.OMITTED if rng.random() < 0.2 else Category.PIPELINE
        elif probability >= 70:
            category = Category.COMMIT if rng.random() < 0.6 else Category.BEST_CASE
        elif probability >= 40:
            category = Category.BEST_CASE if rng.random() < 0.5 else Category.PIPELINE
        else:
            category = Category.OMITTED if rng.random() < 0.1 else Category.PIPELINE
        deal["forecast_category"] = category
        amount = deal["amount"]
        if category in (Category.COMMIT, Category.BEST_CASE) and amount and rng.random() < 0.7:
            share = Decimal(rng.choice(("1", "1", "0.9", "0.8")))
            deal["committed_amount"] = (amount * share / 10).quantize(Decimal(1)) * 10
            deal["committed_date"] = deal["expected_close_date"]

    def _history(
        self, deal: Row, seller: Seller, path: list[tuple[int, datetime]], stage_ids: list[int]
    ) -> None:
        previous = None
        for i, (k, at) in enumerate(path):
            self.rows.stage_changes.append(
                {
                    "deal_id": deal["id"],
                    "pipeline_id": deal["pipeline_id"],
                    "from_stage_id": previous,
                    "to_stage_id": stage_ids[k],
                    "actor_id": seller.id,
                    "at": at,
                    "reason": StageChange.Reason.MOVED if i else StageChange.Reason.CREATED,
                }
            )
            previous = stage_ids[k]
        if deal["closed_at"] is not None:
            self.rows.status_changes.append(
                {
                    "deal_id": deal["id"],
                    "from_status": Status.OPEN,
                    "to_status": deal["status"],
                    "stage_id": deal["stage_id"],
                    "amount": deal["amount"],
                    "currency": deal["currency"],
                    "lost_reason": deal["lost_reason"],
                    "objection_tags": deal["objection_tags"],
                    "actor_id": seller.id,
                    "at": deal["closed_at"],
                }
            )

    def _activities(self, deal: Row, seller: Seller, people: list[Row], day0: int) -> None:
        """Done activities over the deal's life, and for most open deals one due next."""
        rng, clock = self.rng, self.ctx.clock
        start, closed = deal["created_at"], deal["closed_at"]
        end = closed or clock.now
        end_day = (closed - clock.midnight).days if closed else -1
        links = {
            "deal_id": deal["id"],
            "organization_id": deal["organization_id"],
            "person_id": people[0]["id"] if people else None,
        }
        acts: list[Row] = []
        for _ in range(rng.choice(DONE_PER_DEAL)):
            at = min(end, max(start, clock.moment(rng, rng.randint(day0, end_day))))
            acts.extend(self._done(seller, at, end, links))
        last = deal["last_activity_at"] = max(a["done_at"] for a in acts)
        deal["next_activity_at"] = None
        if deal["status"] == Status.OPEN and rng.random() < 0.85:
            kind = NEXT_KINDS.pick(rng)
            due = max(clock.moment(rng, rng.randint(-5, 14)), deal["stage_entered_at"], last)
            extra: dict = {}
            if kind == Kind.MEETING:
                extra["duration_minutes"] = rng.choice((30, 45, 60))
            elif kind == Kind.EMAIL:
                extra["direction"] = Direction.OUTBOUND
            acts.append(
                records.activity(
                    seller,
                    kind,
                    due,
                    done=False,
                    subject=rng.choice(texts.NEXT_ACTIVITY_SUBJECTS),
                    created_at=last,
                    **links,
                    **extra,
                )
            )
            deal["next_activity_at"] = due
        self.rows.activities.extend(acts)

    def _done(self, seller: Seller, at: datetime, end: datetime, links: dict) -> list[Row]:
        rng = self.rng
        kind = DONE_KINDS.pick(rng)
        if kind == Kind.CALL:
            return [
                records.activity(
                    seller,
                    kind,
                    at,
                    done=True,
                    subject=rng.choice(texts.CALL_SUBJECTS),
                    outcome=rng.choice(texts.CALL_OUTCOMES),
                    duration_minutes=rng.randint(2, 40),
                    **links,
                )
            ]
        if kind == Kind.MEETING:
            return [
                records.activity(
                    seller,
                    kind,
                    at,
                    done=True,
                    subject=rng.choice(texts.MEETING_SUBJECTS),
                    outcome=rng.choice(texts.MEETING_OUTCOMES),
                    duration_minutes=rng.choice((30, 45, 60, 90)),
                    **links,
                )
            ]
        if kind == Kind.TASK:
            return [
                records.activity(
                    seller, kind, at, done=True, subject=rng.choice(texts.TASK_SUBJECTS), **links
                )
            ]
        sent = records.activity(
            seller,
            kind,
            at,
            done=True,
            direction=Direction.OUTBOUND,
            subject=rng.choice(texts.EMAIL_SUBJECTS),
            **links,
        )
        reply_at = at + timedelta(hours=lognormal(rng, 18, 1.0))
        if rng.random() >= 0.4 or reply_at > end:
            return [sent]
        positive = rng.choices((True, False, None), weights=(6, 3, 1))[0]
        reply = records.activity(
            seller,
            kind,
            reply_at,
            done=True,
            direction=Direction.INBOUND,
            is_reply=True,
            is_positive=positive,
            subject=rng.choice(texts.REPLY_SUBJECTS),
            **links,
        )
        return [sent, reply]
