"""Pages for people and organizations: lists, record pages with fields edited in place, create."""

from types import SimpleNamespace
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lejek.accounts import access
from lejek.activities import views as activity_views
from lejek.contacts import forms, selectors, services
from lejek.contacts.models import Organization, Person
from lejek.core.errors import DomainError
from lejek.pipelines.models import Deal
from lejek.web import inline, lists, records
from lejek.web.http import add_errors, domain_errors, user_of
from lejek.web.lists import Column, ExportColumn
from lejek.web.templatetags.lejek_web import number

RELATED_LIMIT = 20
SERVICE_FIELDS = {"organization_id": "organization", "owner_id": "owner"}


def _owner_id(data: dict[str, Any]) -> int | None:
    owner = data.get("owner")
    return owner.pk if owner is not None else None


def _people(user: Any, data: dict[str, Any]) -> Any:
    filters = SimpleNamespace(
        q=data.get("q") or None, owner_id=_owner_id(data), organization_id=None
    )
    return selectors.person_list(user=user, filters=filters)


def _organizations(user: Any, data: dict[str, Any]) -> Any:
    filters = SimpleNamespace(
        q=data.get("q") or None,
        owner_id=_owner_id(data),
        is_customer=data.get("is_customer"),
        industry=data.get("industry") or None,
        country=data.get("country") or None,
    )
    return selectors.organization_list(user=user, filters=filters)


PERSON_LIST = lists.ListSpec(
    name="people",
    title=gettext_lazy("People"),
    template="contacts/person_list.html",
    filter_form=forms.PersonFilterForm,
    queryset=_people,
    sorts=selectors.PERSON_SORTS,
    default_sort="-created_at",
    columns=(
        Column(gettext_lazy("Name"), "last_name"),
        Column(gettext_lazy("Organization")),
        Column(gettext_lazy("Email"), "email"),
        Column(gettext_lazy("Phone")),
        Column(gettext_lazy("Job title")),
        Column(gettext_lazy("Owner")),
        Column(gettext_lazy("Created"), "created_at", "text-end"),
    ),
    export=(
        ExportColumn("ID", lambda p: p.pk),
        ExportColumn(gettext_lazy("First name"), lambda p: p.first_name),
        ExportColumn(gettext_lazy("Last name"), lambda p: p.last_name),
        ExportColumn(gettext_lazy("Email"), lambda p: p.email),
        ExportColumn(gettext_lazy("Phone"), lambda p: p.phone),
        ExportColumn(gettext_lazy("Job title"), lambda p: p.job_title),
        ExportColumn(
            gettext_lazy("Organization"), lambda p: p.organization.name if p.organization else ""
        ),
        ExportColumn(gettext_lazy("Owner"), lambda p: p.owner.display_name),
        ExportColumn(gettext_lazy("Created"), lambda p: p.created_at),
    ),
    bulk=(lists.assign_owner(services.person_update, "person"), lists.add_tag()),
    create_url="contacts:person-create",
)

ORGANIZATION_LIST = lists.ListSpec(
    name="organizations",
    title=gettext_lazy("Organizations"),
    template="contacts/organization_list.html",
    filter_form=forms.OrganizationFilterForm,
    queryset=_organizations,
    sorts=selectors.ORGANIZATION_SORTS,
    default_sort="-created_at",
    columns=(
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Domain")),
        Column(gettext_lazy("Industry")),
        Column(gettext_lazy("Country"), "country"),
        Column(gettext_lazy("Employees"), "employees", "text-end"),
        Column(gettext_lazy("Owner")),
        Column(gettext_lazy("Created"), "created_at", "text-end"),
    ),
    export=(
        ExportColumn("ID", lambda o: o.pk),
        ExportColumn(gettext_lazy("Name"), lambda o: o.name),
        ExportColumn(gettext_lazy("Domain"), lambda o: o.domain),
        ExportColumn(gettext_lazy("Industry"), lambda o: o.industry),
        ExportColumn(gettext_lazy("Country"), lambda o: o.country),
        ExportColumn(gettext_lazy("City"), lambda o: o.city),
        ExportColumn(gettext_lazy("Employees"), lambda o: o.employees),
        ExportColumn(gettext_lazy("Customer"), lambda o: o.is_customer),
        ExportColumn(gettext_lazy("Owner"), lambda o: o.owner.display_name),
        ExportColumn(gettext_lazy("Created"), lambda o: o.created_at),
    ),
    bulk=(lists.assign_owner(services.organization_update, "organization"), lists.add_tag()),
    create_url="contacts:organization-create",
)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    return lists.list_view(request, PERSON_LIST)


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    return lists.list_view(request, ORGANIZATION_LIST)


def _text(max_length: int, required: bool = False) -> Any:
    return lambda user: django_forms.CharField(max_length=max_length, required=required)


def _web_link(url: str) -> str | None:
    # Only web addresses become links: a stored "javascript:" must never be clickable.
    if not url:
        return None
    return url if url.startswith(("https://", "http://")) else f"https://{url}"


def _owner_editable() -> inline.Editable:
    return inline.Editable(
        "owner",
        gettext_lazy("Owner"),
        lambda user: forms.owner_field(user, required=True),
        show=lambda r: r.owner.display_name,
        initial=lambda r: r.owner_id,
        key="owner_id",
        convert=inline.pk_or_none,
    )


PERSON_FIELDS = {
    e.name: e
    for e in (
        inline.Editable(
            "first_name", gettext_lazy("First name"), _text(100), show=lambda p: p.first_name
        ),
        inline.Editable(
            "last_name", gettext_lazy("Last name"), _text(100, True), show=lambda p: p.last_name
        ),
        inline.Editable(
            "email",
            gettext_lazy("Email"),
            lambda user: django_forms.EmailField(required=False),
            show=lambda p: p.email,
            link=lambda p: f"mailto:{p.email}" if p.email else None,
        ),
        inline.Editable(
            "phone",
            gettext_lazy("Phone"),
            _text(50),
            show=lambda p: p.phone,
            link=lambda p: f"tel:{p.phone}" if p.phone else None,
        ),
        inline.Editable(
            "job_title", gettext_lazy("Job title"), _text(150), show=lambda p: p.job_title
        ),
        inline.Editable(
            "organization",
            gettext_lazy("Organization"),
            forms.organization_field,
            show=lambda p: p.organization.name if p.organization else "",
            initial=lambda p: p.organization_id,
            key="organization_id",
            link=lambda p: records.url("organization", p.organization_id),
        ),
        _owner_editable(),
    )
}

ORGANIZATION_FIELDS = {
    e.name: e
    for e in (
        inline.Editable("name", gettext_lazy("Name"), _text(200, True), show=lambda o: o.name),
        inline.Editable(
            "domain",
            gettext_lazy("Domain"),
            _text(200),
            show=lambda o: o.domain,
            link=lambda o: _web_link(o.domain),
        ),
        inline.Editable(
            "industry", gettext_lazy("Industry"), _text(100), show=lambda o: o.industry
        ),
        inline.Editable(
            "employees",
            gettext_lazy("Employees"),
            lambda user: django_forms.IntegerField(
                required=False, min_value=0, max_value=10_000_000
            ),
            show=lambda o: number(o.employees) if o.employees is not None else "",
        ),
        inline.Editable(
            "country",
            gettext_lazy("Country"),
            lambda user: django_forms.RegexField(regex=r"^([A-Za-z]{2})?$", required=False),
            show=lambda o: o.country,
        ),
        inline.Editable("city", gettext_lazy("City"), _text(100), show=lambda o: o.city),
        inline.Editable("address", gettext_lazy("Address"), _text(300), show=lambda o: o.address),
        inline.Editable(
            "phone",
            gettext_lazy("Phone"),
            _text(50),
            show=lambda o: o.phone,
            link=lambda o: f"tel:{o.phone}" if o.phone else None,
        ),
        inline.Editable(
            "website",
            gettext_lazy("Website"),
            _text(300),
            show=lambda o: o.website,
            link=lambda o: _web_link(o.website),
        ),
        _owner_editable(),
    )
}


def _person(request: HttpRequest, pk: int) -> Person:
    qs = Person.objects.select_related("owner", "organization")
    return access.visible_or_404(qs, user=user_of(request), pk=pk)


def _organization(request: HttpRequest, pk: int) -> Organization:
    qs = Organization.objects.select_related("owner")
    return access.visible_or_404(qs, user=user_of(request), pk=pk)


def _fields(editables: dict[str, inline.Editable], record: Any, url_name: str) -> list[Any]:
    return [
        inline.shown(e, record, reverse(url_name, args=[record.pk, e.name]))
        for e in editables.values()
    ]


@login_required
@domain_errors
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    person = _person(request, pk)
    deals = (
        Deal.objects.visible_to(user)
        .filter(people=person)
        .select_related("stage")
        .order_by("-created_at")[:RELATED_LIMIT]
    )
    context = {
        "person": person,
        "fields": _fields(PERSON_FIELDS, person, "contacts:person-field"),
        "deals": deals,
        "panel": activity_views.panel_context(user, "person", person),
    }
    return render(request, "contacts/person_detail.html", context)


@login_required
@domain_errors
def person_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = user_of(request)
    person = _person(request, pk)
    return inline.respond(
        request,
        record=person,
        editables=PERSON_FIELDS,
        name=name,
        url=reverse("contacts:person-field", args=[pk, name]),
        save=lambda data, version: services.person_update(
            actor=user, person=person, data=data, version=version
        ),
    )


@login_required
@domain_errors
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    organization = _organization(request, pk)
    people = (
        Person.objects.visible_to(user)
        .filter(organization=organization)
        .order_by("last_name", "first_name", "id")[:RELATED_LIMIT]
    )
    deals = (
        Deal.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("stage")
        .order_by("-created_at")[:RELATED_LIMIT]
    )
    context = {
        "organization": organization,
        "fields": _fields(ORGANIZATION_FIELDS, organization, "contacts:organization-field"),
        "people": people,
        "deals": deals,
        "panel": activity_views.panel_context(user, "organization", organization),
    }
    return render(request, "contacts/organization_detail.html", context)


@login_required
@domain_errors
def organization_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = user_of(request)
    organization = _organization(request, pk)
    return inline.respond(
        request,
        record=organization,
        editables=ORGANIZATION_FIELDS,
        name=name,
        url=reverse("contacts:organization-field", args=[pk, name]),
        save=lambda data, version: services.organization_update(
            actor=user, organization=organization, data=data, version=version
        ),
    )


def _create(
    request: HttpRequest,
    form_class: type[forms.OwnedForm],
    create: Any,
    title: str,
    cancel_url: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    user = user_of(request)
    post = request.method == "POST"
    form = form_class(request.POST if post else None, user=user, initial=initial)
    status = 200
    if post:
        status = 422
        if form.is_valid():
            try:
                record = create(actor=user, data=form.service_data())
            except DomainError as exc:
                add_errors(form, exc, SERVICE_FIELDS)
                status = exc.status
            else:
                messages.success(request, _("“%(name)s” was created.") % {"name": record})
                name = "person" if isinstance(record, Person) else "organization"
                return redirect(f"contacts:{name}-detail", pk=record.pk)
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "web/record_form.html", context, status=status)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    organization = request.GET.get("organization", "")
    initial = {"organization": organization} if organization.isdigit() else None
    return _create(
        request,
        forms.PersonForm,
        services.person_create,
        _("New person"),
        reverse("contacts:person-list"),
        initial,
    )


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    return _create(
        request,
        forms.OrganizationForm,
        services.organization_create,
        _("New organization"),
        reverse("contacts:organization-list"),
    )
