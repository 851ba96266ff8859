"""Stage moves that each fire a rule, then the time until the queue drains (one backend).

Run by benchmarks/scenarios/automation.py in its own process, because the task
backend is a setting: TASKS_BACKEND=db (the database queue, drained by
`db_worker`) or rq (Redis, drained by `rqworker --burst`). Prints one JSON object.

    python benchmarks/automation_moves.py --moves 10000 --pool 500
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from lejek.accounts.models import User
    from lejek.automation import rules
    from lejek.automation.models import AutomationRun
    from lejek.pipelines import services
    from lejek.pipelines.models import Deal, Stage

    backend = os.environ.get("TASKS_BACKEND", "db")
    admin = User.objects.filter(role="admin", is_active=True).order_by("id").first()
    # Two early stages of one pipeline and open deals in them, moved back and forth.
    pipeline_id = (
        Deal.objects.filter(status="open")
        .values_list("pipeline_id", flat=True)
        .order_by("id")
        .first()
    )
    stages = list(Stage.objects.active().filter(pipeline_id=pipeline_id).order_by("order")[:2])
    pool = list(
        Deal.objects.filter(status="open", stage__in=stages)
        .select_related("stage__pipeline")
        .order_by("id")[: args.pool]
    )
    if not pool or len(stages) < 2:
        print(json.dumps({"error": "no open deals in the first two stages of a pipeline"}))
        return
    rule = rules.rule_create(
        actor=admin,
        data={
            "name": f"Benchmark ({backend})",
            "entity_type": "deal",
            "trigger": "stage_entered",
            "trigger_params": {"pipeline_id": pipeline_id},
            "actions": [
                {"type": "create_activity", "params": {"subject": "Follow up", "due_in": 1}},
                {"type": "set_field", "params": {"field": "next_step", "value": "Follow up"}},
            ],
        },
    )
    runs_before = AutomationRun.objects.filter(rule=rule).count()
    by_id = {s.pk: s for s in stages}
    begin = time.perf_counter()
    for i in range(args.moves):
        deal = pool[i % len(pool)]
        target = stages[1] if deal.stage_id == stages[0].pk else stages[0]
        pool[i % len(pool)] = services.deal_move_to_stage(
            actor=admin, deal=deal, stage=by_id[target.pk], version=deal.version
        )
    moved = time.perf_counter() - begin
    worker = drain_command(backend)
    drain_begin = time.perf_counter()
    process = subprocess.Popen(
        worker, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    done = 0
    try:
        while time.perf_counter() - drain_begin < args.timeout:
            done = AutomationRun.objects.filter(
                rule=rule, status__in=["succeeded", "failed", "skipped"]
            ).count()
            if done - runs_before >= args.moves:
                break
            if process.poll() is not None and backend == "rq":
                process = subprocess.Popen(
                    worker,
                    env=os.environ.copy(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            time.sleep(0.5)
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    drained = time.perf_counter() - drain_begin
    failed = AutomationRun.objects.filter(rule=rule, status="failed").count()
    rule.delete()
    print(
        json.dumps(
            {
                "backend": backend,
                "queue": settings.TASKS["default"]["BACKEND"],
                "moves": args.moves,
                "pool": len(pool),
                "moves_per_s": args.moves / moved,
                "move_s": moved,
                "drain_s": drained,
                "runs_done": done - runs_before,
                "runs_failed": failed,
            }
        )
    )


def drain_command(backend: str) -> list[str]:
    manage = [sys.executable, "-m", "django"]
    if backend == "rq":
        # SimpleWorker runs jobs in its own process: RQ's default forks a process per
        # job, which costs about 80 ms a job here, more than the jobs themselves.
        return [
            *manage,
            "rqworker",
            "default",
            "--job-class",
            "django_tasks_rq.Job",
            "--worker-class",
            "rq.worker.SimpleWorker",
            "--burst",
        ]
    return [*manage, "db_worker", "--interval", "0.1", "--no-startup-delay"]


if __name__ == "__main__":
    main()
