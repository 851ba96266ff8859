"""`manage.py customers_renewals [--today YYYY-MM-DD] [--queue]`: open due renewal deals."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lejek.customers import renewals, tasks


class Command(BaseCommand):
    help = "Open a renewal deal for every contract whose renewal day has come (safe to repeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to run as (YYYY-MM-DD); default: today")
        parser.add_argument("--queue", action="store_true", help="queue the task instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            tasks.open_due_renewals.enqueue(options["today"])
            self.stdout.write("Queued.")
            return
        today = datetime.date.fromisoformat(options["today"]) if options["today"] else None
        created = renewals.create_due(today=today)
        self.stdout.write(f"Opened {len(created)} renewal deal(s).")
