"""Moves one deal back and forth until killed (run by test_crash_consistency).

Usage: python churn.py  (DATABASE_URL names an empty database). Prints the deal's
id once it exists, then moves it as fast as it can.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lejek.config.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from lejek.accounts import services as accounts
    from lejek.pipelines import services
    from lejek.pipelines.models import Deal, Stage

    call_command("migrate", verbosity=0)
    admin = accounts.user_create(username="churner", password="x" * 12, role="admin")
    pipeline = services.pipeline_create(actor=admin, template="seven_stage")
    first, second = list(Stage.objects.filter(pipeline=pipeline).order_by("order")[:2])
    deal = services.deal_create(
        actor=admin, data={"title": "Churned", "pipeline_id": pipeline.pk, "stage_id": first.pk}
    )
    print(deal.pk, flush=True)
    while True:
        deal = Deal.objects.select_related("stage__pipeline").get(pk=deal.pk)
        target = second if deal.stage_id == first.pk else first
        services.deal_move_to_stage(actor=admin, deal=deal, stage=target, version=deal.version)


if __name__ == "__main__":
    main()
