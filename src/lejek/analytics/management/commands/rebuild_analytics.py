"""`manage.py rebuild_analytics` (or `lejek rebuild`, with progress bars): rebuild the summaries."""

from typing import Any

from django.core.management.base import BaseCommand

from lejek.analytics import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the analytics summaries and rollup from the raw stage, status, lead and "
        "activity history (after bulk loads, or to check them)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1
        last: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if verbose and (done == total or done - last.get(step, 0) >= 50_000):
                last[step] = done
                self.stdout.write(f"  {step}: {done:,}/{total:,}")

        counts = rebuild.rebuild(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Analytics rebuilt in {rebuild.described(counts)}."))
