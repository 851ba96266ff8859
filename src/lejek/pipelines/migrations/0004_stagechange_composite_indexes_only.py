"""Drop the single-column indexes of StageChange's deal, pipeline and to_stage.

Each column leads a (column, at) index that serves every lookup by it; the extra index
only slowed down inserting millions of stage changes. The indexes are dropped by name
(the same on SQLite and PostgreSQL) rather than through AlterField, which on SQLite would
copy the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "deal_id": "pipelines_stagechange_deal_id_5d72d477",
    "pipeline_id": "pipelines_stagechange_pipeline_id_033f64c1",
    "to_stage_id": "pipelines_stagechange_to_stage_id_4eb56480",
}


class Migration(migrations.Migration):
    dependencies = [
        ("pipelines", "0003_deal_pipeline_status_created_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "pipelines_stagechange" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="stagechange",
                    name="deal",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stage_changes",
                        to="pipelines.deal",
                    ),
                ),
                migrations.AlterField(
                    model_name="stagechange",
                    name="pipeline",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pipelines.pipeline",
                    ),
                ),
                migrations.AlterField(
                    model_name="stagechange",
                    name="to_stage",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pipelines.stage",
                    ),
                ),
            ],
        ),
    ]
