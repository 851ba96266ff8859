"""JSON API of sales operations: quotas, attainment, commission plans and statements, the
pipeline audit, scorecards and the goal planner."""

from fractions import Fraction
from typing import Literal

from django.http.response import HttpResponseBase
from ninja import Query, Router, Status

from lejek.accounts.auth import AuthedRequest
from lejek.accounts.models import Team, User
from lejek.analytics.filters import parse_month, period_from
from lejek.core.errors import NotFound, ValidationFailed
from lejek.core.listing import errors
from lejek.dataio import exports
from lejek.salesops import (
    audits,
    planner,
    plans,
    present,
    quotas,
    reviews,
    schemas,
    scorecard,
    selectors,
    statement_pdf,
    statements,
)
from lejek.salesops.models import CommissionPlan

router = Router(tags=["salesops"])


# --- quotas ----------------------------------------------------------------------------------


@router.get("/quotas", response={200: list[schemas.QuotaOut], **errors()})
def list_quotas(request: AuthedRequest, limit: int = 500):
    """Quotas you can see (yours and your team's; a manager's team; all for admins)."""
    found = selectors.quotas_visible_to(request.user)[: max(1, min(limit, 5000))]
    return [present.quota_out(q) for q in found]


@router.post("/quotas", response={201: schemas.QuotaOut, **errors(403, 409)})
def create_quota(request: AuthedRequest, payload: schemas.QuotaIn):
    user = team = None
    if payload.user_id is not None:
        user = User.objects.filter(pk=payload.user_id, is_active=True).first()
        if user is None:
            raise ValidationFailed.field("user_id", f"No active user with id {payload.user_id}.")
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationFailed.field("team_id", f"No team with id {payload.team_id}.")
    quota = quotas.quota_create(
        actor=request.user,
        user=user,
        team=team,
        kind=payload.kind,
        period_start=payload.period_start,
        amount=payload.amount,
        currency=payload.currency or "",
    )
    return Status(201, present.quota_out(quota))


def _quota(request: AuthedRequest, quota_id: int):  # type: ignore[no-untyped-def]
    found = selectors.quotas_visible_to(request.user).filter(pk=quota_id).first()
    if found is None:
        raise NotFound(f"Quota {quota_id} was not found.")
    return found


@router.patch("/quotas/{int:quota_id}", response={200: schemas.QuotaOut, **errors(403, 404, 409)})
def update_quota(request: AuthedRequest, quota_id: int, payload: schemas.QuotaPatch):
    quota = quotas.quota_update(
        actor=request.user,
        quota=_quota(request, quota_id),
        amount=payload.amount,
        version=payload.version,
    )
    return present.quota_out(quota)


@router.delete("/quotas/{int:quota_id}", response={204: None, **errors(403, 404)})
def delete_quota(request: AuthedRequest, quota_id: int):
    quotas.quota_delete(actor=request.user, quota=_quota(request, quota_id))
    return Status(204, None)


@router.post("/quotas/import", response={200: schemas.QuotaImportOut, **errors(403)})
def import_quotas(request: AuthedRequest, payload: schemas.QuotaImportIn):
    """CSV: `user` or `team`, `period` (2025-03 or 2025-Q2), `amount`, optional `currency`.
    All rows or none (422 lists every bad row); importing again updates amounts."""
    return quotas.quotas_import(actor=request.user, text=payload.csv)


@router.get("/attainment", response={200: schemas.AttainmentOut, **errors(404)})
def attainment(request: AuthedRequest, params: Query[schemas.PeriodQuery]):  # type: ignore[type-arg]
    """Won revenue ÷ quota per rep and team; the attainment rate is the share of reps with a
    quota who reached it."""
    period = period_from(params.start, params.end)
    return present.attainment_out(selectors.attainment(request.user, period, params.team_id))


# --- commission plans and statements ---------------------------------------------------------


@router.get("/plans", response={200: list[schemas.PlanOut], **errors()})
def list_plans(request: AuthedRequest):
    return [present.plan_out(p) for p in selectors.plans()]


def _plan_data(payload: schemas.PlanIn | schemas.PlanPatch) -> dict[str, object]:
    data = payload.dict(exclude_unset=True, exclude={"version"})
    if data.get("tiers") is not None:
        data["tiers"] = [{"above": str(t["above"]), "rate": str(t["rate"])} for t in data["tiers"]]
    return {k: v for k, v in data.items() if v is not None}


@router.post("/plans", response={201: schemas.PlanOut, **errors(403)})
def create_plan(request: AuthedRequest, payload: schemas.PlanIn):
    plan = plans.plan_create(actor=request.user, data=_plan_data(payload))
    return Status(201, present.plan_out(plan))


def _plan(plan_id: int) -> CommissionPlan:
    plan = CommissionPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"Plan {plan_id} was not found.")
    return plan


@router.patch("/plans/{int:plan_id}", response={200: schemas.PlanOut, **errors(403, 404, 409)})
def update_plan(request: AuthedRequest, plan_id: int, payload: schemas.PlanPatch):
    plan = plans.plan_update(
        actor=request.user, plan=_plan(plan_id), data=_plan_data(payload), version=payload.version
    )
    return present.plan_out(plan)


@router.post("/plans/{int:plan_id}/assign", response={204: None, **errors(403, 404)})
def assign_plan(request: AuthedRequest, plan_id: int, payload: schemas.AssignIn):
    user = User.objects.filter(pk=payload.user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed.field("user_id", f"No active user with id {payload.user_id}.")
    plans.plan_assign(actor=request.user, user=user, plan=_plan(plan_id))
    return Status(204, None)


@router.get("/statements", response={200: list[schemas.StatementOut], **errors()})
def list_statements(request: AuthedRequest, params: Query[schemas.StatementQuery]):  # type: ignore[type-arg]
    qs = selectors.statements_visible_to(request.user)
    if params.month:
        qs = qs.filter(month=parse_month(params.month, "month"))
    if params.rep_id:
        qs = qs.filter(rep_id=params.rep_id)
    return [present.statement_out(s) for s in qs[:1000]]


@router.post("/statements/compute", response={200: list[schemas.StatementOut], **errors(403)})
def compute_statements(request: AuthedRequest, payload: schemas.ComputeIn):
    """Drafts for every rep with a plan you may prepare statements for; approved statements
    are not rewritten but get adjustment lines for changes since approval."""
    found = statements.statements_compute(
        actor=request.user, month=parse_month(payload.month, "month"), team_id=payload.team_id
    )
    return [present.statement_out(s) for s in found]


@router.get("/statements/{int:statement_id}", response={200: schemas.StatementOut, **errors(404)})
def get_statement(request: AuthedRequest, statement_id: int):
    return present.statement_out(selectors.statement_or_404(request.user, statement_id), True)


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/statements/{int:statement_id}/export",
    response={200: None, **errors(404)},
    openapi_extra={
        "responses": {
            200: {
                "description": "The statement as a file to download",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    exports.XLSX_TYPE: _BINARY,
                    statement_pdf.PDF_TYPE: _BINARY,
                },
            }
        }
    },
)
def export_statement(
    request: AuthedRequest, statement_id: int, format: Literal["csv", "xlsx", "pdf"]
) -> HttpResponseBase:
    """The statement as a file: `csv` or `xlsx` (its lines and totals, spreadsheet-safe) or
    `pdf` (A4, in the language asked for with Accept-Language); 404 for a statement you
    cannot see."""
    statement = selectors.statement_or_404(request.user, statement_id)
    return statement_pdf.export_response(statement, format)


@router.post(
    "/statements/{int:statement_id}/approve",
    response={200: schemas.StatementOut, **errors(403, 404, 409)},
)
def approve_statement(request: AuthedRequest, statement_id: int, payload: schemas.ApproveIn):
    statement = statements.statement_approve(
        actor=request.user,
        statement=selectors.statement_or_404(request.user, statement_id),
        version=payload.version,
    )
    return present.statement_out(statement, True)


@router.post(
    "/statements/{int:statement_id}/reconcile",
    response={200: schemas.StatementOut, **errors(403, 404, 409)},
)
def reconcile_statement(request: AuthedRequest, statement_id: int):
    statement = selectors.statement_or_404(request.user, statement_id)
    statements.statement_compute(actor=request.user, rep=statement.rep, month=statement.month)
    statement.refresh_from_db()
    return present.statement_out(statement, True)


# --- pipeline audit --------------------------------------------------------------------------


@router.get("/audit", response={200: schemas.AuditOut, **errors(403, 404)})
def audit_queue(request: AuthedRequest, params: Query[schemas.AuditQuery]):  # type: ignore[type-arg]
    """This week's review queue: every open deal of the team (a rep: their own) with last
    contact, flags and this week's review."""
    found = audits.queue(
        request.user, team_id=params.team_id, flag=params.flag, pending_only=params.pending
    )
    return present.audit_out(found)


@router.post("/audit/reviews", response={201: schemas.ReviewOut, **errors(403, 404, 409)})
def record_review(request: AuthedRequest, payload: schemas.ReviewIn):
    deal = audits.deal_for_review(request.user, payload.deal_id)
    review = reviews.review_record(
        actor=request.user,
        deal=deal,
        still_qualified=payload.still_qualified,
        next_action=payload.next_action,
        note=payload.note,
    )
    return Status(201, review)


# --- scorecards and planner ------------------------------------------------------------------


@router.get("/scorecard", response={200: schemas.ScorecardOut, **errors(404)})
def team_scorecard(request: AuthedRequest, params: Query[schemas.PeriodQuery]):  # type: ignore[type-arg]
    """Each rep's effectiveness and efficiency against the team median and the previous
    period, with their quadrant (see `quadrant_rule`)."""
    period = period_from(params.start, params.end)
    return present.scorecard_out(scorecard.team_scorecard(request.user, period, params.team_id))


@router.get("/planner", response={200: schemas.PlannerOut, **errors()})
def goal_planner(request: AuthedRequest, params: Query[schemas.PlannerQuery]):  # type: ignore[type-arg]
    """Leads, conversations, meetings and proposals needed per week (and per rep) for a
    revenue target, from the team's measured rates unless given."""
    measured = planner.measured(request.user, params.team_id)
    rates = {
        name: Fraction(getattr(params, name)) if getattr(params, name) else measured["rates"][name]
        for name in planner.RATE_NAMES
    }
    found = planner.plan(
        target=Fraction(params.target),
        weeks=params.weeks,
        reps=params.reps or measured["reps"],
        deal_size=Fraction(params.deal_size) if params.deal_size else measured["deal_size"],
        rates=rates,
        cycle_days=measured["cycle_days"],
    )
    return present.planner_out(found, measured["rates"])
