"""`manage.py scoring_decay`: take away the lead-score points that decayed (run it daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from lejek.scoring import rescore


class Command(BaseCommand):
    help = "Apply the decay of scoring rules' points to every lead whose points decayed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = rescore.decay_due()
        self.stdout.write(f"{result['leads']} leads checked, {result['entries']} changes written.")
