"""`manage.py automation_tick`: run the automation's time-based work now, or keep doing it."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from lejek.automation import ticker


class Command(BaseCommand):
    help = (
        "Start due scheduled actions and retries, fire date and stale rules, scan the audit "
        "log. Once by default; --loop keeps going; --start hands it to the task workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Tick until stopped.")
        parser.add_argument(
            "--every", type=int, default=None, help="Seconds between ticks (default: setting)."
        )
        parser.add_argument(
            "--start",
            action="store_true",
            help="Queue a self-repeating tick task for the workers (database or RQ backend).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["start"]:
            chain = ticker.start_chain()
            self.stdout.write(f"Tick chain {chain} queued.")
            return
        every = options["every"] or ticker.interval().total_seconds()
        while True:
            counts = ticker.tick()
            if options["verbosity"] >= 1:
                done = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing due"
                self.stdout.write(f"Tick: {done}.")
            if not options["loop"]:
                return
            close_old_connections()
            time.sleep(max(1.0, every))
