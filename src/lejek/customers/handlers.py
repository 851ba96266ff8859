"""Receivers: how this app hears of deals being won, lost and reopened."""

from typing import Any

from lejek.pipelines.models import StatusChange


def status_changed(sender: Any, instance: StatusChange, created: bool, **kwargs: Any) -> None:
    """post_save of a StatusChange row, inside the transaction that changed the status: the
    customer, contract, renewal and onboarding it implies are written with it or not at all."""
    if not created or kwargs.get("raw"):
        return
    from lejek.customers import services

    services.on_status_change(instance)
