"""Data in and out (issue 9: import 1,000,000 deals with 8,000,000 stage-history rows
from CSV ≤ 120 s on SQLite, with validation and summaries; export 1,000,000 deals to
CSV ≤ 20 s).

Generates two deterministic CSV files (deals with an external id, title, amount with
thousands separators, stage, creation date, status; then 8 stage-history rows per deal,
as other CRMs export them) into a temporary folder, imports them with `lejek import`'s
service (the fast path for large imports; validation, history chaining and analytics
summaries included), then exports the deals table to CSV. The deals job leaves its
summary rebuild to the history job after it (`options={"summaries": "later"}`), as a
move from another CRM would: the one rebuild at the end covers both files. Sizes:
BENCH_IMPORT_DEALS (default 100,000 deals; history rows are 8×).
"""

import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

HISTORY_PER_DEAL = 8


def write_files(folder: Path, deals: int, stages: list[str], seed: int = 9) -> tuple[Path, Path]:
    rng = random.Random(seed)
    deals_path, history_path = folder / "deals.csv", folder / "history.csv"
    with deals_path.open("w", encoding="utf-8") as d, history_path.open("w", encoding="utf-8") as h:
        d.write("Record ID,Deal Name,Amount,Deal Stage,Create Date,Status,Close Date\n")
        h.write("Deal ID,Deal Stage,Entered At\n")
        for i in range(1, deals + 1):
            day = 1 + rng.randrange(300)
            created = f"2024-{1 + day // 31 % 12:02d}-{1 + day % 28:02d} 10:00"
            status = rng.choice(("open", "open", "won", "lost"))
            closed = "2025-03-01" if status != "open" else ""
            amount = f'"{rng.randrange(1, 200)},{rng.randrange(1000):03d}.00"'
            d.write(f"B-{i},Deal {i},{amount},{stages[0]},{created},{status},{closed}\n")
            for step in range(HISTORY_PER_DEAL):
                stage = stages[min(step, len(stages) - 1) if step % 3 else step % len(stages)]
                h.write(f"B-{i},{stage},2025-{1 + step:02d}-{1 + i % 28:02d} 12:00\n")
    return deals_path, history_path


def jobs(admin: Any, unavailable: type[Exception]) -> list[dict[str, Any]]:
    from django.db import connection

    from lejek.dataio import importer, table_export
    from lejek.pipelines.models import Pipeline

    deals = int(os.environ.get("BENCH_IMPORT_DEALS", "100000"))
    pipeline = Pipeline.objects.filter(is_active=True).order_by("order", "pk").first()
    if pipeline is None:
        raise unavailable("no active pipeline to import into")
    stages = [s.name for s in pipeline.stages.active().order_by("order")]
    if any("," in s for s in stages):
        raise unavailable("stage names with commas")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        deals_path, history_path = write_files(Path(folder), deals, stages)
        written = time.perf_counter() - began
        source = f"bench-{int(time.time())}"
        timings = {}
        for kind, path in (("deal", deals_path), ("stage_history", history_path)):
            began = time.perf_counter()
            job = importer.import_file(
                actor=admin, kind=kind, path=str(path), source=source,
                columns=None,
                options={"summaries": "later"} if kind == "deal" else None,
            )  # fmt: skip
            timings[kind] = time.perf_counter() - began
            report = job.report
            if job.status != "done" or report.get("rejected"):
                raise unavailable(
                    f"{kind} import: {job.status} {job.error} {report.get('errors', [])[:3]}"
                )
        total = timings["deal"] + timings["stage_history"]
        detail = (
            f"{deals:,} deals + {deals * HISTORY_PER_DEAL:,} history rows, "
            f"{connection.vendor}; files written in {written:.1f} s (not counted)"
        )
        rows += [
            {"name": "import deals from CSV", "value": round(timings["deal"], 1), "unit": "s",
             "detail": f"{deals:,} deals ({deals / timings['deal']:,.0f} rows/s)"},
            {"name": "import stage history from CSV", "value": round(timings["stage_history"], 1),
             "unit": "s", "detail": f"{deals * HISTORY_PER_DEAL:,} rows "
             f"({deals * HISTORY_PER_DEAL / timings['stage_history']:,.0f} rows/s)"},
            {"name": "import deals with their history (goal at 1M + 8M ≤ 120 s)",
             "value": round(total, 1), "unit": "s", "detail": detail},
        ]  # fmt: skip
        began = time.perf_counter()
        exported = table_export.export_table("pipelines.deal", "csv", Path(folder) / "out.csv")
        spent = time.perf_counter() - began
        rows.append({
            "name": "export the deals table to CSV (goal at 1M ≤ 20 s)", "value": round(spent, 1),
            "unit": "s", "detail": f"{exported:,} deals ({exported / spent:,.0f} rows/s)",
        })  # fmt: skip
    return rows
