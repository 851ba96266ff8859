"""The page shell: home after log-in, and the health check for load balancers."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lejek.accounts import models as accounts_models
from lejek.leads import models as leads_models
from lejek.pipelines import models as pipelines_models

# Leads still being worked: not yet disqualified or converted into a deal.
OPEN_LEAD_STATUSES = [
    leads_models.Lead.Status.NEW,
    leads_models.Lead.Status.WORKING,
    leads_models.Lead.Status.NURTURING,
    leads_models.Lead.Status.MQL,
    leads_models.Lead.Status.SQL,
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(accounts_models.User, request.user)  # login_required: never anonymous here
    deals = pipelines_models.Deal.objects.visible_to(user)
    leads = leads_models.Lead.objects.visible_to(user)
    context = {
        "open_deals": deals.filter(status=pipelines_models.Deal.Status.OPEN).count(),
        "open_leads": leads.filter(status__in=OPEN_LEAD_STATUSES).count(),
    }
    return render(request, "web/home.html", context)


def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
