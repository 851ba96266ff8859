"""Several threads move one deal back and forth with version checks (run by test_lost_updates).

Usage: python contend.py THREADS MOVES_EACH  (DATABASE_URL names an empty database)
Prints one JSON object: accepted moves, version conflicts, other errors, and what
the database holds afterwards.
"""

import json
import os
import sys
import threading
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lejek.config.settings")


def main(threads: int, moves: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lejek.accounts import services as accounts
    from lejek.core.errors import VersionConflict
    from lejek.core.models import AuditEntry
    from lejek.pipelines import services
    from lejek.pipelines.models import Deal, Stage, StageChange

    call_command("migrate", verbosity=0)
    admin = accounts.user_create(username="contender", password="x" * 12, role="admin")
    pipeline = services.pipeline_create(actor=admin, template="seven_stage")
    first, second = list(Stage.objects.filter(pipeline=pipeline).order_by("order")[:2])
    deal = services.deal_create(
        actor=admin, data={"title": "Contended", "pipeline_id": pipeline.pk, "stage_id": first.pk}
    )
    start_version = deal.version
    start_changes = StageChange.objects.filter(deal=deal).count()
    moves_logged = AuditEntry.objects.filter(
        entity_id=deal.pk, action=AuditEntry.Action.STAGE_CHANGED
    )
    start_audit = moves_logged.count()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work() -> None:
        local: Counter[str] = Counter()
        barrier.wait()
        try:
            for _ in range(moves):
                current = Deal.objects.select_related("stage__pipeline").get(pk=deal.pk)
                target = second if current.stage_id == first.pk else first
                try:
                    services.deal_move_to_stage(
                        actor=admin, deal=current, stage=target, version=current.version
                    )
                    local["accepted"] += 1
                except VersionConflict:
                    local["conflicts"] += 1
                except Exception as exc:  # reported, so the test shows what went wrong
                    local[f"error: {type(exc).__name__}: {exc}"[:200]] += 1
        finally:
            connection.close()
            with lock:
                outcomes.update(local)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    deal.refresh_from_db()
    last_change = StageChange.objects.filter(deal=deal).order_by("-at", "-id").first()
    assert last_change is not None
    return {
        "attempts": threads * moves,
        "outcomes": dict(outcomes),
        "version_increments": deal.version - start_version,
        "stage_changes": StageChange.objects.filter(deal=deal).count() - start_changes,
        "stage_audit_entries": moves_logged.count() - start_audit,
        "stage_is_last_move": last_change.to_stage_id == deal.stage_id,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
