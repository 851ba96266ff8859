from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "lejek.scoring"
    label = "scoring"
    verbose_name = _("Lead scoring")

    def ready(self) -> None:
        from lejek.core.signals import record_changed
        from lejek.leads.models import Lead

        record_changed.connect(_lead_changed, sender=Lead, dispatch_uid="scoring-lead-changed")


def _lead_changed(sender: Any, ids: list[int], **kwargs: Any) -> None:
    from lejek.scoring import rescore

    rescore.leads_changed(ids)
