"""JSON API for pipelines, stages, deals, moves and history: thin handlers over services."""

from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.core.errors import NotFound
from lejek.core.listing import Id, Version, errors, paginate
from lejek.pipelines import schemas, selectors, services
from lejek.pipelines.models import Deal, Pipeline, Stage
from lejek.pipelines.templates import TEMPLATES

pipelines_router = Router(tags=["pipelines"])
deals_router = Router(tags=["deals"])


def _pipeline(pk: int) -> Pipeline:
    found = selectors.pipeline_list(include_inactive=True).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Pipeline {pk} was not found.")
    return found


def _stage(pipeline_id: int, stage_id: int) -> Stage:
    found = Stage.objects.active().filter(pk=stage_id, pipeline_id=pipeline_id).first()
    if found is None:
        raise NotFound(f"Stage {stage_id} was not found in pipeline {pipeline_id}.")
    return found


@pipelines_router.get("", response={200: list[schemas.PipelineOut], **errors()})
def list_pipelines(request: AuthedRequest, include_inactive: bool = False):
    return selectors.pipeline_list(include_inactive=include_inactive)


@pipelines_router.get("/templates", response={200: list[schemas.TemplateOut], **errors()})
def list_templates(request: AuthedRequest):
    return [
        {"key": t.key, "name": t.name, "seed": t.seed, "stages": [vars(s) for s in t.stages]}
        for t in TEMPLATES.values()
    ]


@pipelines_router.post("", response={201: schemas.PipelineOut, **errors(403)})
def create_pipeline(request: AuthedRequest, payload: schemas.PipelineIn):
    pipeline = services.pipeline_create(
        actor=request.user,
        name=payload.name,
        template=payload.template,
        stages=[s.model_dump() for s in payload.stages],
    )
    return Status(201, _pipeline(pipeline.pk))


@pipelines_router.get("/{id:pipeline_id}", response={200: schemas.PipelineOut, **errors(404)})
def get_pipeline(request: AuthedRequest, pipeline_id: int):
    return _pipeline(pipeline_id)


@pipelines_router.patch(
    "/{id:pipeline_id}", response={200: schemas.PipelineOut, **errors(403, 404)}
)
def update_pipeline(request: AuthedRequest, pipeline_id: int, payload: schemas.PipelinePatch):
    services.pipeline_update(
        actor=request.user,
        pipeline=_pipeline(pipeline_id),
        data=payload.model_dump(exclude_unset=True),
    )
    return _pipeline(pipeline_id)


@pipelines_router.post(
    "/{id:pipeline_id}/stages", response={201: schemas.StageOut, **errors(403, 404)}
)
def add_stage(request: AuthedRequest, pipeline_id: int, payload: schemas.StageIn):
    stage = services.stage_add(
        actor=request.user,
        pipeline=_pipeline(pipeline_id),
        data=payload.model_dump(exclude={"position"}),
        position=payload.position,
    )
    return Status(201, stage)


@pipelines_router.patch(
    "/{id:pipeline_id}/stages/{id:stage_id}", response={200: schemas.StageOut, **errors(403, 404)}
)
def update_stage(
    request: AuthedRequest, pipeline_id: int, stage_id: int, payload: schemas.StagePatch
):
    return services.stage_update(
        actor=request.user,
        stage=_stage(pipeline_id, stage_id),
        data=payload.model_dump(exclude_unset=True),
    )


@pipelines_router.put(
    "/{id:pipeline_id}/stages/order", response={200: list[schemas.StageOut], **errors(403, 404)}
)
def reorder_stages(request: AuthedRequest, pipeline_id: int, payload: schemas.StageOrderIn):
    return services.stages_reorder(
        actor=request.user, pipeline=_pipeline(pipeline_id), stage_ids=payload.stage_ids
    )


@pipelines_router.delete(
    "/{id:pipeline_id}/stages/{id:stage_id}", response={204: None, **errors(403, 404, 409)}
)
def remove_stage(request: AuthedRequest, pipeline_id: int, stage_id: int, move_to: Id):
    stage = _stage(pipeline_id, stage_id)
    target = Stage.objects.filter(pk=move_to).first()
    if target is None:
        raise NotFound(f"Stage {move_to} was not found.")
    services.stage_remove(actor=request.user, stage=stage, move_to=target)
    return Status(204, None)


@pipelines_router.get(
    "/{id:pipeline_id}/board", response={200: list[schemas.BoardColumn], **errors(404)}
)
def board(request: AuthedRequest, pipeline_id: int, owner_id: Id | None = None):
    return selectors.board_columns(
        user=request.user, pipeline=_pipeline(pipeline_id), owner_id=owner_id
    )


def _deal(request: AuthedRequest, deal_id: int) -> Deal:
    return access.visible_or_404(selectors.deal_detail_queryset(), user=request.user, pk=deal_id)


@deals_router.get("", response={200: schemas.DealPage, **errors()})
def list_deals(request: AuthedRequest, filters: Query[schemas.DealFilters]):  # type: ignore[type-arg]
    qs = selectors.deal_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.DEAL_SORTS, "-created_at")


@deals_router.post("", response={201: schemas.DealDetailOut, **errors(403)})
def create_deal(request: AuthedRequest, payload: schemas.DealIn):
    deal = services.deal_create(actor=request.user, data=payload.model_dump())
    return Status(201, _deal(request, deal.pk))


@deals_router.get("/{id:deal_id}", response={200: schemas.DealDetailOut, **errors(404)})
def get_deal(request: AuthedRequest, deal_id: int):
    return _deal(request, deal_id)


@deals_router.patch("/{id:deal_id}", response={200: schemas.DealDetailOut, **errors(403, 404, 409)})
def update_deal(request: AuthedRequest, deal_id: int, payload: schemas.DealPatch):
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.deal_update(
        actor=request.user, deal=_deal(request, deal_id), data=data, version=payload.version
    )
    return _deal(request, deal_id)


@deals_router.delete("/{id:deal_id}", response={204: None, **errors(404, 409)})
def delete_deal(request: AuthedRequest, deal_id: int, version: Version):
    services.deal_delete(actor=request.user, deal=_deal(request, deal_id), version=version)
    return Status(204, None)


@deals_router.post(
    "/{id:deal_id}/restore", response={200: schemas.DealDetailOut, **errors(404, 409)}
)
def restore_deal(request: AuthedRequest, deal_id: int):
    deal = access.manageable_or_404(Deal, user=request.user, pk=deal_id)
    services.deal_restore(actor=request.user, deal=deal)
    return _deal(request, deal_id)


@deals_router.post("/{id:deal_id}/move", response={200: schemas.DealOut, **errors(403, 404, 409)})
def move_deal(request: AuthedRequest, deal_id: int, payload: schemas.MoveIn):
    deal = _deal(request, deal_id)
    stage = Stage.objects.select_related("pipeline").filter(pk=payload.stage_id).first()
    if stage is None:
        raise NotFound(f"Stage {payload.stage_id} was not found.")
    return services.deal_move_to_stage(
        actor=request.user,
        deal=deal,
        stage=stage,
        version=payload.version,
        note=payload.note,
        override_reason=payload.override_reason,
    )


@deals_router.post("/{id:deal_id}/win", response={200: schemas.DealOut, **errors(403, 404, 409)})
def win_deal(request: AuthedRequest, deal_id: int, payload: schemas.WinIn):
    return services.deal_mark_won(
        actor=request.user,
        deal=_deal(request, deal_id),
        version=payload.version,
        override_reason=payload.override_reason,
    )


@deals_router.post("/{id:deal_id}/lose", response={200: schemas.DealOut, **errors(404, 409)})
def lose_deal(request: AuthedRequest, deal_id: int, payload: schemas.LoseIn):
    return services.deal_mark_lost(
        actor=request.user,
        deal=_deal(request, deal_id),
        version=payload.version,
        lost_reason=payload.lost_reason,
        objection_tags=[t.value for t in payload.objection_tags],
    )


@deals_router.post("/{id:deal_id}/reopen", response={200: schemas.DealOut, **errors(404, 409)})
def reopen_deal(request: AuthedRequest, deal_id: int, payload: schemas.VersionIn):
    return services.deal_reopen(
        actor=request.user, deal=_deal(request, deal_id), version=payload.version
    )


@deals_router.get("/{id:deal_id}/history", response={200: schemas.DealHistoryOut, **errors(404)})
def deal_history(request: AuthedRequest, deal_id: int):
    return selectors.deal_history(_deal(request, deal_id))
