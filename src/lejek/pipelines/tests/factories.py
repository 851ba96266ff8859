"""Test helpers for pipelines: a pipeline from a template and deals made through the service."""

from typing import Any

from lejek.accounts.models import User
from lejek.pipelines import services
from lejek.pipelines.models import Deal, Pipeline


def pipeline(admin: User, template: str = "probability_weighted") -> Pipeline:
    return services.pipeline_create(actor=admin, template=template)


def deal(actor: User, pipeline: Pipeline, **data: Any) -> Deal:
    return services.deal_create(
        actor=actor, data={"title": "Deal", "pipeline_id": pipeline.pk, **data}
    )


def stage(pipeline: Pipeline, name: str) -> Any:
    return pipeline.stages.active().get(name=name)
