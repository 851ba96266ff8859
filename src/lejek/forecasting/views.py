"""The forecast page: methods side by side, the fan chart, per-team view, accuracy; exports."""

from typing import Any

import plotly
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from lejek.analytics.loaders import local_date
from lejek.core.errors import DomainError
from lejek.dataio import exports
from lejek.forecasting import charts, selectors, services
from lejek.web.http import error_message, user_of

GROUPS = ("team", "owner", "pipeline")


def _horizon(request: HttpRequest) -> int:
    try:
        return min(9, max(1, int(request.GET.get("horizon", "3"))))
    except ValueError:
        return 3


def _page(request: HttpRequest) -> dict[str, Any]:
    user = user_of(request)
    group_by = request.GET.get("group_by", "team")
    if group_by not in GROUPS:
        group_by = "team"
    today = local_date(timezone.now())
    scope = selectors.resolve_scope(user, owner_id=None, team_id=None, pipeline_id=None)
    found = selectors.forecast(
        user, scope, as_of=today, horizon=_horizon(request), group_by=group_by
    )
    accuracy_rows = []
    for snapshot in selectors.snapshots_visible_to(user)[:20]:
        for row in selectors.snapshot_accuracy(snapshot, today):
            accuracy_rows.append({"as_of": snapshot.as_of, **row})
    return {
        "found": found,
        "group_by": group_by,
        "tables": charts.tables(found, accuracy_rows),
        "fan": charts.fan_chart(found),
        "accuracy_figure": charts.accuracy_chart(accuracy_rows),
    }


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    context = _page(request)
    context.update(
        {
            "horizons": range(1, 10),
            "groups": GROUPS,
            "query": request.GET.urlencode(),
            "plotly_version": plotly.__version__,
        }
    )
    return render(request, "forecasting/forecast.html", context)


@login_required
@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    tables = _page(request)["tables"]
    if table not in tables:
        raise Http404
    found = tables[table]
    return exports.export_response(fmt, f"forecast-{table}", found["header"], found["rows"])


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.utils.translation import gettext as _

    try:
        services.snapshot_for(
            actor=user_of(request),
            horizon=_horizon(request),
            owner_id=None,
            team_id=None,
            pipeline_id=None,
        )
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("The forecast was saved."))
    return redirect("forecasting:forecast")
