"""The dashboard page, its exports, and Plotly's JavaScript from the installed package."""

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any

import plotly
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lejek.analytics import charts, forms, present, selectors
from lejek.dataio import exports
from lejek.web.http import is_htmx, user_of

EXPORT_FORMATS = ("csv", "xlsx")
# Each chart and the table that holds its numbers.
CHARTS = (
    ("funnel", "funnel"),
    ("stage_bars", "funnel"),
    ("velocity", "trend"),
    ("win_rate", "trend"),
    ("stages", "stages"),
)


def _report(request: HttpRequest) -> tuple[forms.DashboardForm, dict[str, Any] | None]:
    form = forms.DashboardForm(request.GET or None, user=user_of(request))
    if not request.GET:
        form = forms.DashboardForm({}, user=user_of(request))
    resolved = form.resolved()
    if resolved is None:
        return form, None
    group_by = form.cleaned_data.get("group_by") or None
    return form, selectors.report(resolved, group_by=group_by)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
        "plotly_version": plotly.__version__,
    }
    status = 200
    if report is None:
        status = 422
    else:
        pipeline_id = form.cleaned_data.get("pipeline") or None
        currency = report["reporting_currency"]
        context["tiles"] = [
            {
                "key": key,
                "label": present.BY_KEY[key].label,
                "value": present.shown(
                    present.BY_KEY[key].kind, report["current"].get(key), currency
                ),
                "previous": present.shown(
                    present.BY_KEY[key].kind, (report["previous"] or {}).get(key), currency
                ),
                "compared": key in report["changes"],
                "change": report["changes"].get(key),
                "change_text": present.shown(present.RATIO, report["changes"].get(key), ""),
            }
            for key in present.TILES
        ]
        figures = charts.figures(report, pipeline_id)
        context["tables"] = tables = charts.tables(report, pipeline_id)
        context["charts"] = [
            {
                "key": key,
                "table": table,
                "data": tables[table],
                "figure": figures[key],
                "script_id": f"figure-{key}",
                "title": figures[key]["layout"]["title"]["text"],
            }
            for key, table in CHARTS
        ]
        context["period_label"] = report["period"].label()
        previous = report["previous_period"]
        context["previous_label"] = previous.label() if previous else ""
    template = "analytics/dashboard.html#body" if is_htmx(request) else "analytics/dashboard.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    """One chart's numbers (or all metrics) as CSV or XLSX, with the page's filters."""
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Unknown export format."))
    form, report = _report(request)
    if report is None:
        return render(
            request,
            "analytics/dashboard.html",
            {"form": form, "report": None, "query": request.GET.urlencode()},
            status=422,
        )
    found = charts.tables(report, form.cleaned_data.get("pipeline") or None).get(table)
    if found is None:
        raise Http404(_("There is no such table."))
    return exports.export_response(fmt, f"lejek-{table}", found["header"], found["rows"])


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, str]:
    data = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


@require_GET
def plotly_js(request: HttpRequest, version: str) -> HttpResponse:
    """Plotly.js as shipped inside the installed `plotly` package (never copied here).

    The URL carries the package version, so browsers may keep it for a year.
    """
    if version != plotly.__version__:
        raise Http404("Unknown Plotly version.")
    body, etag = _plotly_js()
    if request.headers.get("If-None-Match") == f'"{etag}"':
        return HttpResponse(status=304)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["ETag"] = f'"{etag}"'
    return response
