"""A deal's checklist as a partial the deal page includes; ticking a box swaps it (htmx)."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.automation import selectors, sops
from lejek.automation.models import DealStep
from lejek.core.errors import DomainError, NotFound
from lejek.pipelines import selectors as pipeline_selectors
from lejek.pipelines.models import Deal

TEMPLATE = "automation/deal_checklist.html"


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    try:
        return access.visible_or_404(
            pipeline_selectors.deal_detail_queryset(), user=cast(User, request.user), pk=deal_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _render(
    request: HttpRequest, deal: Deal, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {"deal": deal, "checklist": selectors.deal_checklist(deal), "error": error}
    # htmx swaps the partial in place; a plain visit gets a page around it.
    name = f"{TEMPLATE}#checklist" if request.htmx else TEMPLATE  # type: ignore[attr-defined]
    return render(request, name, context, status=status)


@login_required
def deal_checklist(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _render(request, _deal(request, deal_id))


@login_required
@require_POST
def toggle_step(request: HttpRequest, deal_id: int, step_id: int) -> HttpResponse:
    deal = _deal(request, deal_id)
    try:
        step = selectors.deal_step(deal, step_id)
        actor = cast(User, request.user)
        if step.status == DealStep.Status.DONE:
            sops.step_reopen(actor=actor, deal=deal, step=step)
        else:
            sops.step_complete(actor=actor, deal=deal, step=step, note=request.POST.get("note", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        return _render(request, deal, error=exc.message, status=exc.status)
    return _render(request, deal)
