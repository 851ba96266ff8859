"""JSON API for analytics: the metrics report, exchange rates and stage roles."""

from typing import Any

from ninja import Query, Router, Status

from lejek.accounts.auth import AuthedRequest
from lejek.analytics import filters, present, schemas, selectors, services
from lejek.analytics.models import ExchangeRate, StageRole
from lejek.analytics.rates import reporting_currency
from lejek.core.errors import NotFound, ValidationFailed
from lejek.core.listing import errors
from lejek.pipelines.models import Stage

router = Router(tags=["analytics"])


def resolve(user: Any, params: schemas.ReportFilters) -> filters.Filters:
    """The request's filters, checked, within what `user` may see."""
    period = filters.period_from(params.start, params.end, all_time=params.all_time)
    return filters.resolve(
        user=user,
        period=period,
        pipeline_id=params.pipeline_id,
        owner_id=params.owner_id,
        team_id=params.team_id,
        source=params.source,
    )


@router.get("/report", response={200: schemas.ReportOut, **errors()})
def report(request: AuthedRequest, params: Query[schemas.ReportFilters]):  # type: ignore[type-arg]
    """Every metric for the period and the one before, funnels, open pipeline, monthly trend.

    Reps get numbers over their own records, managers over their team's, admins over all.
    """
    found = selectors.report(resolve(request.user, params), group_by=params.group_by)
    return present.report_out(found)


def _rate_out(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.pk,
        "currency": rate.currency,
        "rate": rate.rate,
        "valid_from": rate.valid_from,
        "reporting_currency": reporting_currency(),
    }


def _rate(pk: int) -> ExchangeRate:
    found = ExchangeRate.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Exchange rate {pk} was not found.")
    return found


@router.get("/rates", response={200: list[schemas.RateOut], **errors()})
def list_rates(request: AuthedRequest, currency: str | None = None):
    """Rates to the reporting currency; each is valid from its date until the next one."""
    rates = ExchangeRate.objects.order_by("currency", "-valid_from", "pk")
    if currency:
        rates = rates.filter(currency=currency.upper()[:3])
    return [_rate_out(r) for r in rates]


@router.post("/rates", response={201: schemas.RateOut, **errors(403, 409)})
def create_rate(request: AuthedRequest, payload: schemas.RateIn):
    rate = services.rate_create(
        actor=request.user,
        currency=payload.currency,
        rate=payload.rate,
        valid_from=payload.valid_from,
    )
    return Status(201, _rate_out(rate))


@router.patch("/rates/{id:rate_id}", response={200: schemas.RateOut, **errors(403, 404, 409)})
def update_rate(request: AuthedRequest, rate_id: int, payload: schemas.RatePatch):
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return _rate_out(services.rate_update(actor=request.user, rate=_rate(rate_id), data=data))


@router.delete("/rates/{id:rate_id}", response={204: None, **errors(403, 404)})
def delete_rate(request: AuthedRequest, rate_id: int):
    services.rate_delete(actor=request.user, rate=_rate(rate_id))
    return Status(204, None)


def _role_out(role: StageRole) -> dict[str, Any]:
    return {
        "stage_id": role.stage_id,
        "pipeline_id": role.stage.pipeline_id,
        "stage": role.stage.name,
        "role": role.role,
    }


@router.get("/stage-roles", response={200: list[schemas.StageRoleOut], **errors()})
def list_stage_roles(request: AuthedRequest):
    """Stages marked for the metrics, e.g. the stage whose reaching means a proposal was sent."""
    roles = StageRole.objects.select_related("stage").order_by("stage__pipeline_id", "stage_id")
    return [_role_out(r) for r in roles]


@router.put("/stage-roles", response={200: schemas.StageRoleOut, **errors(403)})
def set_stage_role(request: AuthedRequest, payload: schemas.StageRoleIn):
    stage = Stage.objects.filter(pk=payload.stage_id).first()
    if stage is None:
        raise ValidationFailed.field("stage_id", f"No stage with id {payload.stage_id}.")
    return _role_out(services.stage_role_set(actor=request.user, stage=stage, role=payload.role))


@router.delete("/stage-roles/{id:stage_id}", response={204: None, **errors(403, 404)})
def clear_stage_role(request: AuthedRequest, stage_id: int):
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(f"Stage {stage_id} was not found.")
    services.stage_role_clear(actor=request.user, stage=stage)
    return Status(204, None)
