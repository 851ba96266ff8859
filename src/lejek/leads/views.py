"""Pages for leads: the list, the lead page with fields edited in place and its status, create."""

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from lejek.accounts.models import User
from lejek.activities import views as activity_views
from lejek.core.errors import DomainError
from lejek.leads import forms, selectors, services
from lejek.leads.models import Lead, Source
from lejek.web import inline, lists
from lejek.web.http import add_errors, domain_errors, is_htmx, user_of
from lejek.web.lists import BulkAction, Column, ExportColumn
from lejek.web.templatetags.lejek_web import money, number


def _leads(user: User, data: dict[str, Any]) -> Any:
    owner = data.get("owner")
    filters = SimpleNamespace(
        q=data.get("q") or None,
        status=data.get("status") or None,
        source=data.get("source") or None,
        owner_id=owner.pk if owner is not None else None,
        campaign=None,
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        min_score=data.get("min_score"),
    )
    return selectors.lead_list(user=user, filters=filters)


def _set_status(actor: User, lead: Lead, params: dict[str, Any]) -> Lead:
    return services.lead_set_status(
        actor=actor,
        lead=lead,
        status=params["status"],
        version=lead.version,
        disqualified_reason=params.get("disqualified_reason") or "",
    )


LEAD_LIST = lists.ListSpec(
    name="leads",
    title=gettext_lazy("Leads"),
    template="leads/lead_list.html",
    filter_form=forms.LeadFilterForm,
    queryset=_leads,
    sorts=selectors.LEAD_SORTS,
    default_sort="-created_at",
    columns=(
        Column(gettext_lazy("Name"), "last_name"),
        Column(gettext_lazy("Company"), "company_name"),
        Column(gettext_lazy("Email")),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Source")),
        Column(gettext_lazy("Score"), "score", "text-end"),
        Column(gettext_lazy("Owner")),
        Column(gettext_lazy("Created"), "created_at", "text-end"),
    ),
    export=(
        ExportColumn("ID", lambda lead: lead.pk),
        ExportColumn(gettext_lazy("Name"), lambda lead: lead.display_name),
        ExportColumn(gettext_lazy("First name"), lambda lead: lead.first_name),
        ExportColumn(gettext_lazy("Last name"), lambda lead: lead.last_name),
        ExportColumn(gettext_lazy("Email"), lambda lead: lead.email),
        ExportColumn(gettext_lazy("Phone"), lambda lead: lead.phone),
        ExportColumn(gettext_lazy("Company"), lambda lead: lead.company_name),
        ExportColumn(gettext_lazy("Status"), lambda lead: lead.status),
        ExportColumn(gettext_lazy("Source"), lambda lead: lead.source),
        ExportColumn(gettext_lazy("Campaign"), lambda lead: lead.campaign),
        ExportColumn(gettext_lazy("Score"), lambda lead: lead.score),
        ExportColumn(gettext_lazy("Owner"), lambda lead: lead.owner.display_name),
        ExportColumn(gettext_lazy("Created"), lambda lead: lead.created_at),
    ),
    bulk=(
        lists.assign_owner(services.lead_update, "lead"),
        BulkAction("set_status", gettext_lazy("Set status"), forms.StatusForm, _set_status),
        lists.add_tag(),
    ),
    create_url="leads:lead-create",
)


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    return lists.list_view(request, LEAD_LIST)


def _text(max_length: int, widget: Any = None) -> Any:
    return lambda user: django_forms.CharField(max_length=max_length, required=False, widget=widget)


def _choice(enum: Any) -> Any:
    return lambda user: django_forms.ChoiceField(choices=forms.choices(enum))


def _label(enum: Any, value: str) -> str:
    try:
        return _(enum(value).label)
    except ValueError:
        return value


def _plain(name: str, label: Any, max_length: int, **extra: Any) -> inline.Editable:
    return inline.Editable(
        name, label, _text(max_length), show=lambda lead: getattr(lead, name), **extra
    )


def _budget_field(user: User) -> django_forms.Field:
    return django_forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=16, decimal_places=2
    )


TEXTAREA = django_forms.Textarea(attrs={"rows": 3})

GROUPS: list[tuple[Any, list[inline.Editable]]] = [
    (
        gettext_lazy("Contact"),
        [
            _plain("title", gettext_lazy("Title"), 200),
            _plain("first_name", gettext_lazy("First name"), 100),
            _plain("last_name", gettext_lazy("Last name"), 100),
            inline.Editable(
                "email",
                gettext_lazy("Email"),
                lambda user: django_forms.EmailField(required=False),
                show=lambda lead: lead.email,
                link=lambda lead: f"mailto:{lead.email}" if lead.email else None,
            ),
            _plain("phone", gettext_lazy("Phone"), 50),
            _plain("job_title", gettext_lazy("Job title"), 150),
        ],
    ),
    (
        gettext_lazy("Company"),
        [
            _plain("company_name", gettext_lazy("Company"), 200),
            _plain("company_domain", gettext_lazy("Company domain"), 200),
            _plain("industry", gettext_lazy("Industry"), 100),
            inline.Editable(
                "country",
                gettext_lazy("Country"),
                lambda user: django_forms.RegexField(regex=r"^([A-Za-z]{2})?$", required=False),
                show=lambda lead: lead.country,
            ),
            inline.Editable(
                "company_size",
                gettext_lazy("Company size"),
                lambda user: django_forms.IntegerField(
                    required=False, min_value=0, max_value=10_000_000
                ),
                show=lambda lead: (
                    number(lead.company_size) if lead.company_size is not None else ""
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Source"),
        [
            inline.Editable(
                "source",
                gettext_lazy("Source"),
                _choice(Source),
                show=lambda lead: _label(Source, lead.source),
            ),
            _plain("campaign", gettext_lazy("Campaign"), 200),
            inline.Editable(
                "owner",
                gettext_lazy("Owner"),
                lambda user: lists.OwnerChoiceField(queryset=lists.owner_choices(user)),
                show=lambda lead: lead.owner.display_name,
                initial=lambda lead: lead.owner_id,
                key="owner_id",
                convert=inline.pk_or_none,
            ),
        ],
    ),
    (
        gettext_lazy("Qualification"),
        [
            inline.Editable(
                "budget",
                gettext_lazy("Budget"),
                _budget_field,
                show=lambda lead: (
                    money(lead.budget, lead.budget_currency) if lead.budget is not None else ""
                ),
            ),
            inline.Editable(
                "budget_currency",
                gettext_lazy("Budget currency"),
                lambda user: django_forms.RegexField(regex=r"^([A-Za-z]{3})?$", required=False),
                show=lambda lead: lead.budget_currency,
            ),
            inline.Editable(
                "budget_confirmed",
                gettext_lazy("Budget confirmed"),
                lambda user: django_forms.BooleanField(required=False),
                show=lambda lead: _("Yes") if lead.budget_confirmed else _("No"),
            ),
            inline.Editable(
                "authority",
                gettext_lazy("Authority"),
                lambda user: django_forms.ChoiceField(
                    choices=forms.choices(Lead.Authority), required=False
                ),
                show=lambda lead: _label(Lead.Authority, lead.authority) if lead.authority else "",
            ),
            _plain("timeline", gettext_lazy("Timeline"), 200),
            inline.Editable(
                "need",
                gettext_lazy("Need"),
                _text(10_000, TEXTAREA),
                show=lambda lead: lead.need,
                wide=True,
            ),
            inline.Editable(
                "pain_points",
                gettext_lazy("Pain points"),
                _text(10_000, TEXTAREA),
                show=lambda lead: lead.pain_points,
                wide=True,
            ),
        ],
    ),
]
LEAD_FIELDS = {e.name: e for _group, editables in GROUPS for e in editables}


def _lead(request: HttpRequest, pk: int) -> Lead:
    return selectors.lead_detail(user=user_of(request), pk=pk)


def _page(request: HttpRequest, lead: Lead, status_form: Any = None, status: int = 200) -> Any:
    user = user_of(request)
    groups = [
        {
            "title": title,
            "fields": [
                inline.shown(e, lead, reverse("leads:lead-field", args=[lead.pk, e.name]))
                for e in editables
            ],
        }
        for title, editables in GROUPS
    ]
    initial = {"status": lead.status, "disqualified_reason": lead.disqualified_reason}
    context = {
        "lead": lead,
        "status_label": _label(Lead.Status, lead.status),
        "source_label": _label(Source, lead.source),
        "groups": groups,
        "status_form": status_form or forms.StatusForm(initial=initial),
        "converted": lead.status == Lead.Status.CONVERTED,
        "panel": activity_views.panel_context(user, "lead", lead),
    }
    return render(request, "leads/lead_detail.html", context, status=status)


@login_required
@domain_errors
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _lead(request, pk))


@login_required
@domain_errors
def lead_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = user_of(request)
    lead = _lead(request, pk)
    return inline.respond(
        request,
        record=lead,
        editables=LEAD_FIELDS,
        name=name,
        url=reverse("leads:lead-field", args=[pk, name]),
        save=lambda data, version: services.lead_update(
            actor=user, lead=lead, data=data, version=version
        ),
    )


@login_required
@require_POST
@domain_errors
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status (a reason is required to disqualify), at the version the page showed."""
    user = user_of(request)
    lead = _lead(request, pk)
    form = forms.StatusForm(request.POST)
    version = request.POST.get("version", "")
    if not (version.isdigit() and len(version) <= 10):
        form.add_error(None, _("Reload the page: the record's version is missing."))
    status = 422
    if form.is_valid():
        try:
            services.lead_set_status(
                actor=user,
                lead=lead,
                status=form.cleaned_data["status"],
                version=int(version),
                disqualified_reason=form.cleaned_data["disqualified_reason"],
            )
        except DomainError as exc:
            add_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, _("Status changed."))
            if is_htmx(request):
                return HttpResponseClientRefresh()
            return HttpResponseRedirect(reverse("leads:lead-detail", args=[pk]), status=303)
    return _page(request, _lead(request, pk), status_form=form, status=status)


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    post = request.method == "POST"
    form = forms.LeadForm(request.POST if post else None, user=user)
    status = 422 if post else 200
    if post and form.is_valid():
        try:
            lead = services.lead_create(actor=user, data=form.service_data())
        except DomainError as exc:
            add_errors(form, exc, {"owner_id": "owner"})
            status = exc.status
        else:
            messages.success(request, _("“%(name)s” was created.") % {"name": lead.display_name})
            return redirect("leads:lead-detail", pk=lead.pk)
    context = {"form": form, "title": _("New lead"), "cancel_url": reverse("leads:lead-list")}
    return render(request, "web/record_form.html", context, status=status)
