import datetime

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "lejek.customers"
    label = "customers"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from lejek.customers import handlers
        from lejek.pipelines.models import StatusChange

        # A deal's status change writes one append-only StatusChange row inside its
        # transaction (pipelines' `_set_status`); winning, losing and reopening all pass here.
        post_save.connect(
            handlers.status_changed, sender=StatusChange, dispatch_uid="customers-status-changed"
        )

        from lejek.automation import periodic
        from lejek.customers import tasks

        periodic.register("customers.renewals", tasks.open_due_renewals, datetime.timedelta(days=1))
