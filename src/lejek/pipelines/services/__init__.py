"""Every write to pipelines, stages and deals goes through these functions."""

from lejek.pipelines.services.deals import (
    deal_create,
    deal_delete,
    deal_mark_lost,
    deal_mark_won,
    deal_move_to_stage,
    deal_reopen,
    deal_restore,
    deal_update,
)
from lejek.pipelines.services.pipelines import (
    pipeline_create,
    pipeline_update,
    stage_add,
    stage_remove,
    stage_update,
    stages_reorder,
)

__all__ = [
    "deal_create",
    "deal_delete",
    "deal_mark_lost",
    "deal_mark_won",
    "deal_move_to_stage",
    "deal_reopen",
    "deal_restore",
    "deal_update",
    "pipeline_create",
    "pipeline_update",
    "stage_add",
    "stage_remove",
    "stage_update",
    "stages_reorder",
]
