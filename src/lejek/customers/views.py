"""Pages for customers (list, account page with contracts and health) and for reps' booking
settings (working hours, booking pages)."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lejek.accounts import access
from lejek.analytics.rates import reporting_currency
from lejek.contacts.models import Organization
from lejek.core.errors import DomainError, NotFound
from lejek.customers import forms, revenue, selectors, services
from lejek.customers.models import BookingPage, WorkingHours
from lejek.customers.slots import hours_set
from lejek.pipelines.models import Deal
from lejek.web.http import add_errors, domain_errors, user_of

LIST_LIMIT = 200


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    q = (request.GET.get("q") or "").strip()[:200]
    rows = list(
        selectors.customer_list(user=user, q=q or None).order_by("name", "pk")[: LIST_LIMIT + 1]
    )
    context: dict[str, Any] = {
        "customers": revenue.attach_lifetime(rows[:LIST_LIMIT]),
        "truncated": len(rows) > LIST_LIMIT,
        "q": q,
        "currency": reporting_currency(),
    }
    if getattr(request, "htmx", False):  # a search: only the rows are replaced
        return render(request, "customers/customer_list.html#rows", context)
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    context["rate"] = selectors.renewal_rate(user=user, start=year_ago)
    context["clv"] = selectors.clv(user=user)
    context["split"] = selectors.revenue_by_kind(user=user, start=year_ago)
    return render(request, "customers/customer_list.html", context)


def _customer(request: HttpRequest, pk: int) -> Organization:
    found = selectors.customer_get(user=user_of(request), pk=pk)
    if found is None:
        raise NotFound(f"Customer {pk} was not found.")
    return found


def _won_deals(request: HttpRequest, org: Organization) -> list[Deal]:
    return list(
        Deal.objects.visible_to(user_of(request))
        .filter(organization=org, status=Deal.Status.WON)
        .order_by("-closed_at")[:50]
    )


def _detail(
    request: HttpRequest, org: Organization, status: int = 200, **extra: Any
) -> HttpResponse:
    won = _won_deals(request, org)
    context = {
        "customer": org,
        **selectors.customer_page(user=user_of(request), org=org),
        "contract_form": extra.pop("contract_form", None) or forms.ContractForm(deals=won),
        "referral_form": extra.pop("referral_form", None) or forms.ReferralForm(),
        **extra,
    }
    return render(request, "customers/customer_detail.html", context, status=status)


@login_required
@domain_errors
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _customer(request, pk))


@login_required
@require_POST
@domain_errors
def contract_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = _customer(request, pk)
    form = forms.ContractForm(request.POST, deals=_won_deals(request, org))
    if form.is_valid():
        data = dict(form.cleaned_data)
        deal = access.visible_or_404(
            Deal.objects.select_related("organization__owner"),
            user=user_of(request),
            pk=data.pop("deal"),
        )
        try:
            services.contract_create(actor=user_of(request), deal=deal, data=data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Contract added."))
            return redirect("customers:customer-detail", pk=org.pk)
    return _detail(request, org, status=422, contract_form=form)


@login_required
@require_POST
@domain_errors
def expansion_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = services.expansion_create(actor=user_of(request), organization_id=pk, data={})
    messages.success(request, _("Expansion deal created."))
    return redirect(reverse("pipelines:deal-detail", args=[deal.pk]))


@login_required
@require_POST
@domain_errors
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = _customer(request, pk)
    form = forms.ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.referral_create(
                actor=user_of(request), organization_id=org.pk, data=form.cleaned_data
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Referral added as a lead."))
            return redirect("customers:customer-detail", pk=org.pk)
    return _detail(request, org, status=422, referral_form=form)


@login_required
def booking_settings(request: HttpRequest) -> HttpResponse:
    """A rep's working hours and booking pages (administrators see every page)."""
    user = user_of(request)
    initial: dict[str, Any] = {}
    for row in WorkingHours.objects.filter(user=user):
        initial[f"start_{row.weekday}"], initial[f"end_{row.weekday}"] = row.start, row.end
    hours_form = forms.HoursForm(initial=initial)
    page_form = forms.BookingPageForm()
    status = 200
    if request.method == "POST" and request.POST.get("form") == "hours":
        hours_form = forms.HoursForm(request.POST)
        if hours_form.is_valid():
            hours_set(user=user, rows=hours_form.rows())
            messages.success(request, _("Working hours saved."))
            return redirect("customers:booking-settings")
        status = 422
    elif request.method == "POST" and request.POST.get("form") == "page":
        page_form = forms.BookingPageForm(request.POST)
        if page_form.is_valid():
            page = page_form.save(commit=False)
            page.user = user
            page.save()
            messages.success(request, _("Booking page created."))
            return redirect("customers:booking-settings")
        status = 422
    pages = BookingPage.objects.select_related("user", "team", "stage__pipeline")
    if not user.is_admin:
        mine = Q(user=user) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
        pages = pages.filter(mine)
    context = {
        "hours_form": hours_form,
        "page_form": page_form,
        "pages": pages.order_by("title", "pk"),
    }
    return render(request, "customers/booking_settings.html", context, status=status)


@login_required
def revenue_split(request: HttpRequest) -> HttpResponse:
    """The dashboard's card of won revenue by kind (loaded by htmx with its filters)."""
    from lejek.analytics.forms import DashboardForm

    form = DashboardForm(request.GET or {}, user=user_of(request))
    resolved = form.resolved()
    if resolved is None:
        return HttpResponse(status=422)
    context = {"split": revenue.split(resolved)}
    return render(request, "customers/revenue_split.html", context)
