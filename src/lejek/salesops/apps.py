import datetime

from django.apps import AppConfig


class SalesopsConfig(AppConfig):
    name = "lejek.salesops"
    label = "salesops"
    verbose_name = "Sales operations"

    def ready(self) -> None:
        from lejek.automation import periodic
        from lejek.salesops import tasks

        day = datetime.timedelta(days=1)
        # Opening a week's audit queue is idempotent: checked daily, opened once a week.
        periodic.register("salesops.weekly_audits", tasks.open_weekly_audits, day)
        periodic.register("salesops.reconcile_statements", tasks.reconcile_statements, day)
