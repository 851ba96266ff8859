from typing import Any

from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "lejek.automation"
    label = "automation"

    def ready(self) -> None:
        from lejek.core.signals import records_merged

        records_merged.connect(_merged, dispatch_uid="automation-records-merged")


def _merged(sender: Any, keep: int, other: int, **kwargs: Any) -> None:
    """Campaign memberships follow a merged record (the history of each stay is kept)."""
    from lejek.automation.models.campaigns import Membership

    kind = sender._meta.model_name
    Membership.objects.filter(entity_type=kind, entity_id=other).update(entity_id=keep)
