"""Drop five single-column indexes whose column leads a composite index that serves the
same lookups (and the foreign-key checks): each cost every insert and every move.

Only the indexes are dropped: on SQLite, letting Django alter the fields would copy the
whole deals table to change nothing else.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

INDEXES = [  # (table, column, the name Django gave the index)
    ("pipelines_deal", "owner_id", "pipelines_deal_owner_id_10946c98"),
    ("pipelines_deal", "created_at", "pipelines_deal_created_at_d7a89e05"),
    ("pipelines_deal", "pipeline_id", "pipelines_deal_pipeline_id_3e8bbb84"),
    ("pipelines_deal", "stage_id", "pipelines_deal_stage_id_5f00e0c9"),
    ("pipelines_statuschange", "deal_id", "pipelines_statuschange_deal_id_28ae7203"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("pipelines", "0006_open_deals_forecast_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="deal",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                ),
                migrations.AlterField(
                    model_name="deal",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_deals",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="deal",
                    name="pipeline",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deals",
                        to="pipelines.pipeline",
                    ),
                ),
                migrations.AlterField(
                    model_name="deal",
                    name="stage",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deals",
                        to="pipelines.stage",
                    ),
                ),
                migrations.AlterField(
                    model_name="statuschange",
                    name="deal",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="pipelines.deal",
                    ),
                ),
            ],
        )
    ]
