"""`manage.py forecast_schedule`: make sure the weekly forecast snapshots are scheduled."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lejek.forecasting import schedule


class Command(BaseCommand):
    help = (
        "Queue the self-repeating weekly forecast snapshot task when none is alive "
        "(--restart: start a new chain regardless)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--restart", action="store_true", help="Start a new chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        chain = schedule.start_chain() if options["restart"] else schedule.ensure_chain()
        if chain:
            self.stdout.write(f"Weekly forecast snapshots scheduled (chain {chain}).")
        else:
            self.stdout.write("Weekly forecast snapshots are already scheduled.")
