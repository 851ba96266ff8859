"""Taking in engagement events in batches: stored once per external id, scored at once.

A batch is one transaction with a constant number of statements whatever its size: the
known ids are looked up together, the new events and their ledger rows are bulk-inserted,
the scores of the touched leads move in one set-based update, and their attribute rules
are checked again (lead data may have changed since their last event).
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from lejek.analytics import inserts
from lejek.scoring import calc, ledger
from lejek.scoring.models import EngagementEvent, ScoreEntry

MAX_BATCH = 10_000


@dataclass
class IngestResult:
    created: list["Created"] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    points: dict[str, int] = field(default_factory=dict)  # by external id
    scores: dict[int, int] = field(default_factory=dict)  # by lead id, after the batch


def events_ingest(*, events: list[dict[str, Any]], source: str = "") -> IngestResult:
    """Store and score a batch of events (already validated: `lead_id`, `type`,
    `external_id`, `occurred_at`, optional `url`, `data`, `source`).

    Events whose external id is already stored (or repeated in the batch) are skipped and
    reported as duplicates, so a sender may retry a whole batch safely.
    """
    if len(events) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} events per batch.")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _ingest(events, source)
        except IntegrityError:
            # Another writer stored one of these ids after our look-up (PostgreSQL); the
            # second look-up finds it and skips it.
            if attempt:
                raise
    raise AssertionError("unreachable")


class Created(NamedTuple):
    pk: int
    external_id: str
    lead_id: int


def _ingest(events: list[dict[str, Any]], source: str) -> IngestResult:
    result = IngestResult()
    now = timezone.now()
    keys = [e["external_id"] for e in events]
    known: set[str] = set()
    for part in ledger.chunks(keys):
        known.update(
            EngagementEvent.objects.filter(external_id__in=part).values_list(
                "external_id", flat=True
            )
        )
    rows: list[dict[str, Any]] = []
    for e in events:
        key = e["external_id"]
        if key in known:
            result.duplicates.append(key)
            continue
        known.add(key)
        rows.append(
            {
                "lead_id": e["lead_id"],
                "type": e["type"],
                "external_id": key,
                "url": e.get("url") or "",
                "data": e.get("data") or {},
                "source": e.get("source") or source,
                "occurred_at": e.get("occurred_at") or now,
                "received_at": now,
            }
        )
    if not rows:
        return result
    # Plain rows, not model instances: building an instance per event cost more than
    # storing it (see docs/benchmarks.md).
    inserts.insert(EngagementEvent, [{**r, "data": json.dumps(r["data"])} for r in rows])
    ids: dict[str, int] = {}
    for part in ledger.chunks([r["external_id"] for r in rows]):
        ids.update(
            EngagementEvent.objects.filter(external_id__in=part).values_list("external_id", "pk")
        )
    data = [
        calc.EventData(
            ids[r["external_id"]], r["lead_id"], r["type"], r["occurred_at"], r["url"],
            r["source"], r["data"],
        )
        for r in rows
    ]  # fmt: skip
    result.created = [
        Created(d.id, r["external_id"], d.lead_id) for d, r in zip(data, rows, strict=True)
    ]
    specs = ledger.active_specs()
    event_rules = [s for s in specs if s.kind == calc.EVENT]
    attribute_rules = [s for s in specs if s.kind == calc.ATTRIBUTE]
    lead_ids = sorted({r["lead_id"] for r in rows})
    states = ledger.lock_leads(lead_ids, with_values=bool(attribute_rules))
    entries: list[Any] = _event_entries(data, event_rules, now, result)
    if attribute_rules:
        entries += attribute_entries(lead_ids, attribute_rules, states, now)
    ledger.commit(entries, states)
    result.scores = {pk: state.score for pk, state in states.items()}
    return result


def _event_entries(
    data: list[calc.EventData],
    rules: list[calc.RuleSpec],
    now: datetime.datetime,
    result: IngestResult,
) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    capped = [r for r in rules if r.cap_count is not None]
    allowed = _within_caps(data, capped, tz) if capped else None
    entries = []
    for event, made in zip(data, result.created, strict=True):
        earned = 0
        for rule in rules:
            if not calc.event_matches(rule, event):
                continue
            capped_out = allowed is not None and rule.cap_count is not None
            if capped_out and (rule.id, event.id) not in allowed:  # type: ignore[operator]
                continue
            points = calc.decayed(rule.points, now - event.occurred_at, rule.decay, rule.decay_days)
            if points:
                entries.append(
                    {
                        "lead_id": event.lead_id,
                        "rule_id": rule.id,
                        "event_id": event.id,
                        "reason": ScoreEntry.Reason.EVENT,
                        "points": points,
                        "at": event.occurred_at,
                        "created_at": now,
                    }
                )
                earned += points
        result.points[made.external_id] = earned
    return entries


def _within_caps(
    batch: list[calc.EventData], capped: list[calc.RuleSpec], tz: datetime.tzinfo
) -> set[tuple[int, int]]:
    """(rule id, event id) of the batch's events that capped rules still count, judged with
    the lead's stored events of the same periods (which include the batch's own)."""
    allowed: set[tuple[int, int]] = set()
    for rule in capped:
        mine = [e for e in batch if calc.event_matches(rule, e)]
        if not mine:
            continue
        lead_ids = sorted({e.lead_id for e in mine})
        stored = EngagementEvent.objects.filter(type=rule.event_type)
        if rule.cap_period_days:
            first = min(e.occurred_at for e in mine)
            start = _period_start(first, rule.cap_period_days, tz)
            stored = stored.filter(occurred_at__gte=start)
        by_lead: dict[int, list[calc.EventData]] = defaultdict(list)
        fields = ("pk", "lead_id", "type", "occurred_at", "url", "source", "data")
        for part in ledger.chunks(lead_ids):
            for values in stored.filter(lead_id__in=part).order_by().values(*fields):
                values["id"] = values.pop("pk")
                by_lead[values["lead_id"]].append(calc.EventData(**values))
        wanted = {e.id for e in mine}
        for events in by_lead.values():
            allowed.update(
                (rule.id, e.id) for e in calc.counted(rule, events, tz) if e.id in wanted
            )
    return allowed


def _period_start(at: datetime.datetime, days: int, tz: datetime.tzinfo) -> datetime.datetime:
    index = calc.period_of(at, days, tz)
    day = datetime.date.fromordinal(index * days + 1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def attribute_entries(
    lead_ids: list[int],
    rules: list[calc.RuleSpec],
    states: dict[int, ledger.LeadState],
    now: datetime.datetime,
    reason: str = ScoreEntry.Reason.ATTRIBUTE,
) -> list[ScoreEntry]:
    """Rows that bring the attribute rules' points in line with the leads' current data."""
    targets = {
        (pk, rule.id): calc.attribute_rule_total(rule, states[pk].values or {})
        for pk in lead_ids
        if pk in states
        for rule in rules
    }
    current = ledger.rule_sums(lead_ids, [r.id for r in rules])
    return ledger.differences(targets, current, reason=reason, at=now)
