"""`manage.py forecast_replay`: rebuild each rep's monthly forecast snapshots from history."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from lejek.analytics.loaders import local_date
from lejek.forecasting import replayed


class Command(BaseCommand):
    help = (
        "Save, for each rep, the forecast they would have had on the first day of each of "
        "the last N months, from the deals' history (only what was missing), so forecast "
        "accuracy per rep exists before weekly snapshots have accumulated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=12, help="Months back (default 12).")

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"]
        if not 1 <= months <= 60:
            self.stderr.write("--months must be between 1 and 60.")
            raise SystemExit(2)
        saved = replayed.replay_rep_snapshots(today=local_date(timezone.now()), months=months)
        self.stdout.write(f"Saved {saved} snapshot(s) rebuilt from history.")
