import datetime
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "lejek.scoring"
    label = "scoring"
    verbose_name = _("Lead scoring")

    def ready(self) -> None:
        from lejek.core.signals import record_changed, records_merged
        from lejek.leads.models import Lead

        record_changed.connect(_lead_changed, sender=Lead, dispatch_uid="scoring-lead-changed")
        records_merged.connect(_leads_merged, sender=Lead, dispatch_uid="scoring-leads-merged")

        from lejek.automation import periodic
        from lejek.scoring import tasks

        periodic.register("scoring.decay", tasks.decay_scores, datetime.timedelta(days=1))


def _lead_changed(sender: Any, ids: list[int], **kwargs: Any) -> None:
    from lejek.scoring import rescore

    rescore.leads_changed(ids)


def _leads_merged(sender: Any, keep: int, other: int, **kwargs: Any) -> None:
    """The ledger rows moved with the events; caps and attribute rules apply to the
    merged lead as a whole, so its score is worked out again (as ledger rows)."""
    from lejek.scoring import rescore

    rescore.lead_refresh([keep])
