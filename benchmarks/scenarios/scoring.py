"""Lead scoring throughput: engagement events in (with scoring), and rescoring after a rule
change.

Creates its own leads (LEJEK_BENCH_SCORING_LEADS, default 100,000; every fifth fits the
example buyer persona), sends LEJEK_BENCH_EVENTS events (default 1,000,000: page visits,
half of them to /pricing, email opens and clicks) through the ingest service in batches of
5,000, as the event API does, then changes the example persona rule's points so every lead
is scored again. Afterwards everything it made is removed, so a kept database is left as
it was.
"""

import datetime
import os
import random
import time
from typing import Any

LEADS = int(os.environ.get("LEJEK_BENCH_SCORING_LEADS", "100000"))
EVENTS = int(os.environ.get("LEJEK_BENCH_EVENTS", "1000000"))
BATCH = 5000
MARK = "bench-scoring"


def _leads(admin: Any) -> list[int]:
    from django.utils import timezone

    from lejek.leads.models import Lead

    now = timezone.now()
    rows = [
        Lead(
            owner=admin,
            first_name="Bench",
            last_name=f"Lead {n}",
            email=f"lead{n}@bench{n % 997}.example",
            company_name=f"Bench {n % 997}",
            company_domain=f"bench{n % 997}.example",
            campaign=MARK,
            authority="decision_maker" if n % 5 == 0 else "",
            company_size=50 if n % 5 == 0 else 3,
            created_at=now,
            updated_at=now,
        )
        for n in range(LEADS)
    ]
    Lead.objects.bulk_create(rows, batch_size=2000)
    return list(Lead.objects.filter(campaign=MARK).order_by("pk").values_list("pk", flat=True))


def _events(lead_ids: list[int], start: int, count: int, rng: random.Random) -> list[dict]:
    now = datetime.datetime.now(datetime.UTC)
    out = []
    for n in range(start, start + count):
        kind = rng.random()
        event: dict[str, Any] = {
            "external_id": f"{MARK}-{n}",
            "lead_id": lead_ids[rng.randrange(len(lead_ids))],
            "occurred_at": now - datetime.timedelta(minutes=rng.randrange(60 * 24 * 30)),
        }
        if kind < 0.4:
            event["type"] = "page_visited"
            event["url"] = (
                "https://example.com/pricing" if kind < 0.2 else "https://example.com/blog"
            )
        elif kind < 0.8:
            event["type"] = "email_opened"
        else:
            event["type"] = "link_clicked"
        out.append(event)
    return out


def _clean(lead_ids: list[int], rule_points: dict[int, int]) -> None:
    from lejek.leads.models import Lead
    from lejek.scoring.ledger import chunks
    from lejek.scoring.models import EngagementEvent, ScoreEntry, ScoringRule, ThresholdCrossing

    for pk, points in rule_points.items():
        ScoringRule.objects.filter(pk=pk).update(points=points)
    for part in chunks(lead_ids, 2000):
        ThresholdCrossing.objects.filter(lead_id__in=part).delete()
        ScoreEntry.objects.filter(lead_id__in=part).delete()
        EngagementEvent.objects.filter(lead_id__in=part).delete()
        Lead.objects.filter(pk__in=part).delete()


def jobs(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    from lejek.scoring import ingest, rescore, services
    from lejek.scoring.models import ScoringRule

    services.rules_ensure_defaults()
    persona = ScoringRule.objects.get(key="seed002-buyer-persona")
    kept = {persona.pk: persona.points}
    lead_ids = _leads(admin)
    rows: list[dict[str, Any]] = []
    try:
        rng = random.Random(1)
        started = time.perf_counter()
        created = entries = 0
        for start in range(0, EVENTS, BATCH):
            batch = _events(lead_ids, start, min(BATCH, EVENTS - start), rng)
            result = ingest.events_ingest(events=batch, source="bench")
            created += len(result.created)
        seconds = time.perf_counter() - started
        if created != EVENTS:
            raise unavailable(f"{created} of {EVENTS} events stored")
        from lejek.scoring.models import ScoreEntry

        entries = ScoreEntry.objects.filter(lead_id__gte=lead_ids[0]).count()
        rows.append(
            {
                "name": "engagement events ingested, scored",
                "value": round(EVENTS / seconds),
                "unit": "events/s",
                "detail": (
                    f"{EVENTS:,} events in batches of {BATCH:,} over {len(lead_ids):,} leads, "
                    f"{seconds:.1f} s, {entries:,} ledger rows"
                ),
            }
        )
        ScoringRule.objects.filter(pk=persona.pk).update(points=persona.points + 1)
        started = time.perf_counter()
        done = rescore.rescore(rule_ids=[persona.pk])
        seconds = time.perf_counter() - started
        rows.append(
            {
                "name": "rescore every lead after an attribute rule changed",
                "value": round(seconds, 2),
                "unit": "s",
                "detail": f"{done['leads']:,} leads, {done['entries']:,} ledger rows written",
            }
        )
    finally:
        _clean(lead_ids, kept)
    return rows
