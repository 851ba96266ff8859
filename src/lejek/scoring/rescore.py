"""Scoring leads again from their events and data: after a rule changes, as points decay,
or when a lead's data changed. Work goes in chunks of leads; per chunk a fixed number of
statements reads the events and the ledger's per-rule sums, and writes one difference row
per lead and rule whose points changed, so the ledger still adds up to the score.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lejek.leads.models import Lead
from lejek.scoring import calc, ledger
from lejek.scoring.ingest import attribute_entries
from lejek.scoring.models import EngagementEvent, ScoreEntry, ScoringRule

LEADS_PER_CHUNK = 2000
# Decay is re-checked this long past a rule's horizon, in case the decay job stopped a while.
DECAY_MARGIN = datetime.timedelta(days=30)
EVENT_FIELDS = ("pk", "lead_id", "type", "occurred_at", "url", "source", "data")


def recompute(
    lead_ids: Sequence[int],
    specs: Sequence[calc.RuleSpec],
    *,
    reason: str,
    now: datetime.datetime | None = None,
) -> int:
    """Bring the given rules' points for the given leads to what they are worth now.
    Inactive or deleted rules are worth nothing. Returns the number of ledger rows written."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    event_rules = [s for s in specs if s.kind == calc.EVENT]
    attribute_rules = [s for s in specs if s.kind == calc.ATTRIBUTE]
    written = 0
    for part in ledger.chunks(sorted(set(lead_ids)), LEADS_PER_CHUNK):
        with transaction.atomic():
            states = ledger.lock_leads(part, with_values=bool(attribute_rules))
            pks = sorted(states)
            entries = _event_differences(pks, event_rules, now, tz, reason)
            if attribute_rules:
                entries += attribute_entries(pks, attribute_rules, states, now, reason)
            ledger.commit(entries, states)
            written += len(entries)
    return written


def _event_differences(
    lead_ids: list[int],
    rules: list[calc.RuleSpec],
    now: datetime.datetime,
    tz: datetime.tzinfo,
    reason: str,
) -> list[ScoreEntry]:
    if not rules or not lead_ids:
        return []
    types = sorted({r.event_type for r in rules if r.active})
    events: dict[int, list[calc.EventData]] = defaultdict(list)
    if types:
        rows = (
            EngagementEvent.objects.filter(lead_id__in=lead_ids, type__in=types)
            .order_by()
            .values_list(*EVENT_FIELDS)
        )
        for pk, lead_id, kind, at, url, source, data in rows.iterator(chunk_size=5000):
            events[lead_id].append(calc.EventData(pk, lead_id, kind, at, url, source, data))
    targets: dict[tuple[int, int], int] = {}
    for lead_id, mine in events.items():
        for rule in rules:
            total = calc.event_rule_total(rule, mine, now, tz)
            if total:
                targets[(lead_id, rule.id)] = total
    current = ledger.rule_sums(lead_ids, [r.id for r in rules])
    return ledger.differences(targets, current, reason=reason, at=now)


def _all_specs(rule_ids: Sequence[int] | None) -> list[calc.RuleSpec]:
    # Deleted and paused rules are included: they are worth nothing, so their points go.
    qs = ScoringRule.objects.order_by("pk")
    if rule_ids is not None:
        qs = qs.filter(pk__in=rule_ids)
    return [ledger.spec_of(r) for r in qs]


def leads_to_rescore(specs: Sequence[calc.RuleSpec]) -> QuerySet[Lead] | list[int]:
    """Leads whose points from these rules may change: every live lead when an attribute
    rule is among them, else those with events of the rules' types or points from them."""
    if any(s.kind == calc.ATTRIBUTE for s in specs):
        return list(Lead.objects.alive().order_by("pk").values_list("pk", flat=True))
    types = {s.event_type for s in specs}
    with_events = EngagementEvent.objects.filter(type__in=types).values_list("lead_id", flat=True)
    with_points = ScoreEntry.objects.filter(rule_id__in=[s.id for s in specs]).values_list(
        "lead_id", flat=True
    )
    return sorted(set(with_events.distinct()) | set(with_points.distinct()))


def rescore(
    *,
    rule_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Score every lead again under the rules as they are now (all of them, or `rule_ids`
    after those changed: rules are independent, so the others need no work)."""
    specs = _all_specs(rule_ids)
    if not specs:
        return {"leads": 0, "entries": 0}
    lead_ids: list[int] = list(leads_to_rescore(specs))  # type: ignore[arg-type]
    now = timezone.now()
    written = 0
    for done, part in enumerate(ledger.chunks(lead_ids, LEADS_PER_CHUNK * 5)):
        written += recompute(part, specs, reason=ScoreEntry.Reason.RESCORE, now=now)
        if progress:
            progress(min((done + 1) * LEADS_PER_CHUNK * 5, len(lead_ids)), len(lead_ids))
    return {"leads": len(lead_ids), "entries": written}


def decay_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Take away the points that decayed since the last run (safe to run at any time)."""
    now = now or timezone.now()
    specs = [s for s in ledger.active_specs() if s.kind == calc.EVENT and s.decay]
    written = leads = 0
    for spec in specs:
        horizon = calc.decay_horizon(spec)
        if horizon is None:
            continue
        since = now - horizon - DECAY_MARGIN
        lead_ids = sorted(
            set(
                ScoreEntry.objects.filter(rule_id=spec.id, at__gte=since)
                .values_list("lead_id", flat=True)
                .distinct()
            )
        )
        leads += len(lead_ids)
        written += recompute(lead_ids, [spec], reason=ScoreEntry.Reason.DECAY, now=now)
    return {"leads": leads, "entries": written}


def leads_changed(lead_ids: Sequence[int]) -> int:
    """The attribute rules' points of leads whose data or tags just changed (called in the
    writing transaction: the score never disagrees with the data it explains)."""
    specs = [s for s in _all_specs(None) if s.kind == calc.ATTRIBUTE]
    if not specs:
        return 0
    return recompute(lead_ids, specs, reason=ScoreEntry.Reason.ATTRIBUTE)


def lead_refresh(lead_ids: Sequence[int]) -> int:
    """Score leads again under every rule (their data changed, or someone asked)."""
    specs = _all_specs(None)
    attributes = [s for s in specs if s.kind == calc.ATTRIBUTE]
    events = [s for s in specs if s.kind == calc.EVENT]
    written = recompute(lead_ids, attributes, reason=ScoreEntry.Reason.ATTRIBUTE)
    return written + recompute(lead_ids, events, reason=ScoreEntry.Reason.RESCORE)
