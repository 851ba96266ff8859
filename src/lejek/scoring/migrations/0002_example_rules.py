"""The seed-002 example rules and thresholds, added once when Lejek is installed."""

from django.db import migrations
from django.utils import timezone

from lejek.scoring.defaults import DEFAULT_RULES, DEFAULT_THRESHOLDS


def add_examples(apps, schema_editor):
    ScoringRule = apps.get_model("scoring", "ScoringRule")
    Threshold = apps.get_model("scoring", "Threshold")
    now = timezone.now()
    present = set(ScoringRule.objects.values_list("key", flat=True))
    for spec in DEFAULT_RULES:
        if spec["key"] not in present:
            ScoringRule.objects.create(**spec, created_at=now, updated_at=now)
    if not Threshold.objects.exists():
        for spec in DEFAULT_THRESHOLDS:
            Threshold.objects.create(**spec, created_at=now, updated_at=now)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(add_examples, migrations.RunPython.noop)]
