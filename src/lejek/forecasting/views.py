"""The forecast page: methods side by side, the fan chart, per-team view, accuracy; exports.

One form drives the page: horizon, grouping, pipeline/team/owner filters and the
run-rate inputs. htmx swaps the page body on every change; bad input comes back as 422
with a message beside each field, never a 500.
"""

from typing import Any

import plotly
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lejek.analytics.loaders import local_date
from lejek.core.errors import DomainError
from lejek.dataio import exports
from lejek.forecasting import charts, schedule, selectors, services
from lejek.forecasting.forms import RUN_RATE_FIELDS, ForecastForm
from lejek.web.http import error_message, is_htmx, user_of

GROUPS = ("team", "owner", "pipeline")


def _form(request: HttpRequest) -> ForecastForm:
    return ForecastForm(request.GET, user=user_of(request))


def _page(form: ForecastForm) -> dict[str, Any] | None:
    """Every method for the form's scope, or None when the form has errors."""
    scope = form.resolved()
    if scope is None:
        return None
    user = form.user
    today = local_date(timezone.now())
    found = selectors.forecast(
        user,
        scope,
        as_of=today,
        horizon=form.horizon_value,
        group_by=form.group_by_value,
        inputs=form.inputs(),
    )
    accuracy_rows = []
    for snapshot in selectors.snapshots_visible_to(user)[:20]:
        for row in selectors.snapshot_accuracy(snapshot, today):
            accuracy_rows.append({"as_of": snapshot.as_of, **row})
    return {
        "found": found,
        "group_by": form.group_by_value,
        "tables": charts.tables(found, accuracy_rows),
        "fan": charts.fan_chart(found),
        "accuracy_figure": charts.accuracy_chart(accuracy_rows),
    }


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    schedule.ensure_chain_now_and_then()
    form = _form(request)
    context: dict[str, Any] = _page(form) or {}
    suggested = context["found"]["suggested_inputs"] if context else None
    context.update(
        {
            "form": form,
            "filter_fields": [
                form[n] for n in ("horizon", "group_by", "pipeline", "team", "owner")
            ],
            "run_rate_fields": [
                (form[n], None if suggested is None else getattr(suggested, n))
                for n in RUN_RATE_FIELDS
            ],
            "query": request.GET.urlencode(),
            "plotly_version": plotly.__version__,
        }
    )
    status = 200 if "found" in context else 422
    context["oob"] = is_htmx(request)  # field messages go beside their fields, out of band
    template = "forecasting/forecast.html#body" if is_htmx(request) else "forecasting/forecast.html"
    response = render(request, template, context, status=status)
    if status != 200 and is_htmx(request):
        response["HX-Reswap"] = "none"  # keep the last good numbers; show only the messages
    return response


@login_required
@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    page = _page(_form(request))
    if page is None:
        return HttpResponse(_("Check the forecast's options."), status=422)
    tables = page["tables"]
    if table not in tables:
        raise Http404
    found = tables[table]
    return exports.export_response(fmt, f"forecast-{table}", found["header"], found["rows"])


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    back = f"{reverse('forecasting:forecast')}?{request.GET.urlencode()}"
    if form.resolved() is None:
        messages.error(request, _("Check the forecast's options."))
        return redirect(back)
    try:
        services.snapshot_for(actor=user_of(request), horizon=form.horizon_value, **form.ids())
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("The forecast was saved."))
    return redirect(back)
