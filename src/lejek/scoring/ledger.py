"""Writing score changes: ledger rows in bulk, `Lead.score` moved by set-based updates, and
threshold crossings recorded once with their actions queued for the background.

Callers lock the leads first (`lock_leads`), so on PostgreSQL two writers scoring the same
lead queue up instead of both adding the same difference; SQLite's IMMEDIATE transactions
already let one writer in at a time.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from lejek.analytics import inserts
from lejek.core import audit
from lejek.core.models import AuditEntry, Tagging
from lejek.leads.models import Lead
from lejek.scoring import calc
from lejek.scoring.models import ScoreEntry, ScoringRule, Threshold, ThresholdCrossing

CHUNK = 2000  # ids or rows per statement: well under every database's parameter limit


def chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def spec_of(rule: ScoringRule) -> calc.RuleSpec:
    return calc.RuleSpec(
        id=rule.pk,
        kind=rule.kind,
        points=rule.points,
        event_type=rule.event_type,
        conditions=tuple(rule.conditions or ()),
        match=rule.match,
        cap_count=rule.cap_count,
        cap_period_days=rule.cap_period_days,
        decay=rule.decay,
        decay_days=rule.decay_days,
        active=rule.is_active and rule.deleted_at is None,
    )


def active_specs() -> list[calc.RuleSpec]:
    return [spec_of(r) for r in ScoringRule.objects.active().order_by("pk")]


@dataclass
class LeadState:
    score: int
    values: dict[str, Any] | None = None


def lock_leads(lead_ids: Sequence[int], *, with_values: bool) -> dict[int, LeadState]:
    """The leads' scores (and attribute values) read under a row lock, in id order."""
    fields = ["pk", "score", *(calc.STORED_LEAD_FIELDS if with_values else ())]
    states: dict[int, LeadState] = {}
    for part in chunks(sorted(lead_ids)):
        rows = Lead.objects.filter(pk__in=part).order_by("pk").select_for_update().values(*fields)
        for row in rows:
            pk, score = row.pop("pk"), row.pop("score")
            states[pk] = LeadState(score=score, values=row if with_values else None)
    if with_values and states:
        tags = lead_tags(list(states))
        for pk, state in states.items():
            state.values = calc.lead_values(state.values or {}, tags.get(pk, ()))
    return states


def lead_tags(lead_ids: Sequence[int]) -> dict[int, set[str]]:
    tags: dict[int, set[str]] = defaultdict(set)
    for part in chunks(lead_ids):
        pairs = Tagging.objects.filter(entity_type="lead", entity_id__in=part).values_list(
            "entity_id", "tag__name"
        )
        for lead_id, name in pairs:
            tags[lead_id].add(name)
    return tags


def rule_sums(lead_ids: Sequence[int], rule_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """What each rule has given each lead so far, from the ledger."""
    from django.db.models import Sum

    sums: dict[tuple[int, int], int] = {}
    if not rule_ids:
        return sums
    for part in chunks(lead_ids):
        rows = (
            ScoreEntry.objects.filter(lead_id__in=part, rule_id__in=rule_ids)
            .order_by()
            .values_list("lead_id", "rule_id")
            .annotate(total=Sum("points"))
        )
        for lead_id, rule_id, total in rows:
            sums[(lead_id, rule_id)] = total or 0
    return sums


def differences(
    targets: dict[tuple[int, int], int],
    current: dict[tuple[int, int], int],
    *,
    reason: str,
    at: datetime.datetime,
) -> list[ScoreEntry]:
    """Ledger rows that bring every (lead, rule) from its current points to its target."""
    rows = []
    for key in targets.keys() | current.keys():
        change = targets.get(key, 0) - current.get(key, 0)
        if change:
            rows.append(
                ScoreEntry(lead_id=key[0], rule_id=key[1], reason=reason, points=change, at=at)
            )
    return rows


def _row_of(entry: ScoreEntry, now: datetime.datetime) -> dict[str, Any]:
    return {
        "lead_id": entry.lead_id,
        "rule_id": entry.rule_id,
        "event_id": entry.event_id,
        "reason": entry.reason,
        "points": entry.points,
        "at": entry.at,
        "created_at": now,
    }


def commit(
    entries: Sequence[ScoreEntry | dict[str, Any]], states: dict[int, LeadState]
) -> list[ThresholdCrossing]:
    """Write the rows, move the scores by their sum, record threshold crossings.

    Returns the new crossings; their actions are queued to run after the commit.
    """
    if not entries:
        return []
    now = timezone.now()
    rows = [e if isinstance(e, dict) else _row_of(e, now) for e in entries]
    inserts.insert(ScoreEntry, rows)
    deltas: dict[int, int] = defaultdict(int)
    for row in rows:
        deltas[row["lead_id"]] += row["points"]
    changed = [(pk, d) for pk, d in sorted(deltas.items()) if d]
    _add_to_scores(changed)
    moves = {pk: (states[pk].score, states[pk].score + d) for pk, d in changed if pk in states}
    for pk, (_before, after) in moves.items():
        states[pk].score = after
    return record_crossings(moves)


def _add_to_scores(changed: Sequence[tuple[int, int]]) -> None:
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        for part in chunks(changed):
            values = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS INTEGER))"] * len(part))
            params = [v for pair in part for v in pair]
            cursor.execute(
                f"WITH d(id, delta) AS (VALUES {values}) "  # noqa: S608 (placeholders only)
                f"UPDATE {table} SET score = {table}.score + d.delta "
                f"FROM d WHERE {table}.id = d.id",
                params,
            )


def record_crossings(moves: dict[int, tuple[int, int]]) -> list[ThresholdCrossing]:
    """One crossing per lead and threshold, ever; the actions run in the background."""
    thresholds = list(Threshold.objects.filter(is_active=True, deleted_at__isnull=True))
    if not thresholds or not moves:
        return []
    candidates = [
        (pk, t, before, after)
        for pk, (before, after) in moves.items()
        for t in thresholds
        if calc.crossed(t.score, t.downwards, before, after)
    ]
    if not candidates:
        return []
    lead_ids = sorted({c[0] for c in candidates})
    done: set[tuple[int, int]] = set()
    for part in chunks(lead_ids):
        done.update(
            ThresholdCrossing.objects.filter(lead_id__in=part).values_list(
                "lead_id", "threshold_id"
            )
        )
    now = timezone.now()
    fresh = [
        ThresholdCrossing(lead_id=pk, threshold=t, score_before=before, score_after=after, at=now)
        for pk, t, before, after in candidates
        if (pk, t.pk) not in done
    ]
    if not fresh:
        return []
    created = ThresholdCrossing.objects.bulk_create(fresh, batch_size=CHUNK)
    # The crossing is in the lead's history (and automation rules on "score crossed" see it).
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                entity_type="lead",
                entity_id=c.lead_id,
                action=AuditEntry.Action.UPDATED,
                field="score",
                old_value=audit.to_text(c.score_before),
                new_value=audit.to_text(c.score_after),
                note=f"Score crossed the threshold “{c.threshold.name}” ({c.threshold.score})",
                at=now,
            )
            for c in created
        ],
        batch_size=CHUNK,
    )
    from lejek.automation import queue
    from lejek.scoring import tasks  # the tasks import the services that import this module

    ids = [c.pk for c in created]
    for part in chunks(ids, 500):
        queue.enqueue_on_commit(tasks.run_threshold_actions, list(part))
    return created
