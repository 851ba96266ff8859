"""Deal pages: create a deal, and the record page with fields edited in place, win, lose, reopen.

The page carries the deal's version once (#deal-version); every change sends it, and every
successful change sends the new one back, so a change made elsewhere meanwhile is a 409.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from lejek.accounts import access
from lejek.contacts.models import Organization, Person
from lejek.core.errors import DomainError, NotFound, ValidationFailed, VersionConflict
from lejek.pipelines import forms, labels, selectors, services
from lejek.pipelines.models import Deal, Stage
from lejek.pipelines.views import (
    alert,
    error_message,
    error_page,
    is_htmx,
    owner_options,
    user_of,
)

# Details shown in the side card, in order (the title sits in the header).
DETAIL_FIELDS = (
    "amount",
    "owner",
    "organization",
    "people",
    "expected_close_date",
    "forecast",
    "source",
    "next_step",
)


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    qs = selectors.deal_detail_queryset().prefetch_related("people")
    return access.visible_or_404(qs, user=user_of(request), pk=deal_id)


def _version(request: HttpRequest) -> int:
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed.field(
            "version", _("Reload the page: the deal's version is missing.")
        )
    return int(form.cleaned_data["version"])


def _labels(deal: Deal) -> dict[str, Any]:
    return {
        "status": labels.STATUS_LABELS.get(deal.status, deal.status),
        "forecast": labels.FORECAST_LABELS.get(deal.forecast_category, deal.forecast_category),
        "source": labels.SOURCE_LABELS.get(deal.source, deal.source),
        "objections": [labels.OBJECTION_LABELS.get(t, t) for t in deal.objection_tags],
    }


def _facts(deal: Deal) -> dict[str, Any]:
    now = timezone.now()
    return {
        "is_stale": selectors.is_stale(deal, now),
        "days_in_stage": max(0, (now - deal.stage_entered_at).days),
        "next_overdue": bool(deal.next_activity_at and deal.next_activity_at < now),
    }


def _field_context(request: HttpRequest, deal: Deal) -> dict[str, Any]:
    return {
        "deal": deal,
        "labels": _labels(deal),
        "facts": _facts(deal),
        "can_assign": len(owner_options(user_of(request))) > 1,
    }


def _history(deal: Deal) -> list[dict[str, Any]]:
    """Stage and status changes in one list, newest first."""
    history = selectors.deal_history(deal)
    rows: list[dict[str, Any]] = []
    for change in history["stage_changes"]:
        rows.append(
            {
                "kind": "stage",
                "at": change.at,
                "actor": change.actor,
                "old": change.from_stage.name if change.from_stage else "",
                "new": change.to_stage.name,
                "created": change.from_stage is None,
                "stage_removed": change.reason == change.Reason.STAGE_REMOVED,
                "note": change.note,
            }
        )
    for change in history["status_changes"]:
        rows.append(
            {
                "kind": "status",
                "at": change.at,
                "actor": change.actor,
                "old": labels.STATUS_LABELS.get(change.from_status, change.from_status),
                "new": labels.STATUS_LABELS.get(change.to_status, change.to_status),
                "to_status": change.to_status,
                "note": change.lost_reason,
                "tags": [labels.OBJECTION_LABELS.get(t, t) for t in change.objection_tags],
            }
        )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


def _path(deal: Deal, stages: list[Stage]) -> list[dict[str, Any]]:
    current = next((i for i, s in enumerate(stages) if s.pk == deal.stage_id), -1)
    return [
        {
            "stage": stage,
            "state": "current" if i == current else ("done" if i < current else "todo"),
        }
        for i, stage in enumerate(stages)
    ]


@login_required
@require_GET
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    try:
        deal = _deal(request, deal_id)
    except DomainError as exc:
        return error_page(request, exc)
    stages = list(deal.pipeline.stages.active().order_by("order", "pk"))
    context = {
        **_field_context(request, deal),
        "path": _path(deal, stages),
        "history": _history(deal),
        "detail_fields": [(name, forms.FIELD_LABELS[name]) for name in DETAIL_FIELDS],
        "lost_form": forms.LostForm(),
    }
    return render(request, "pipelines/deal_detail.html", context)


# --- fields edited in place ----------------------------------------------------------------


def _field_form(request: HttpRequest, name: str, deal: Deal, data: Any = None) -> forms.FieldForm:
    form_class = forms.FIELD_FORMS[name]
    kwargs: dict[str, Any] = {}
    if form_class is forms.OwnerForm:
        kwargs["owners"] = owner_options(user_of(request))
    if data is None:
        return form_class(initial=form_class.initial_for(deal), **kwargs)
    return form_class(data, **kwargs)


def _chosen(request: HttpRequest, name: str, form: forms.FieldForm, deal: Deal) -> dict[str, Any]:
    """The organization or people a picker shows as chosen (posted ones after an error)."""
    user = user_of(request)
    if name == "organization":
        pk = str(form.data.get("organization") if form.is_bound else deal.organization_id)
        valid = pk.isdigit() and len(pk) < 19
        org = Organization.objects.visible_to(user).filter(pk=int(pk)).first() if valid else None
        return {"chosen_organization": org}
    if name == "people":
        if not form.is_bound:
            return {"chosen_people": list(deal.people.all())}
        ids = [int(v) for v in request.POST.getlist("people") if v.isdigit() and len(v) < 19]
        return {"chosen_people": list(Person.objects.visible_to(user).filter(pk__in=ids))}
    return {}


def _render_form(
    request: HttpRequest, name: str, form: forms.FieldForm, deal: Deal, **extra: Any
) -> HttpResponse:
    status = extra.pop("status", 200)
    context = {
        "deal": deal,
        "name": name,
        "label": forms.FIELD_LABELS[name],
        "form": form,
        **_chosen(request, name, form, deal),
        **extra,
    }
    return render(request, "pipelines/deal_detail.html#field-form", context, status=status)


def _render_field(request: HttpRequest, name: str, deal: Deal, oob: bool) -> HttpResponse:
    context = {
        **_field_context(request, deal),
        "name": name,
        "label": forms.FIELD_LABELS[name],
        "oob": oob,
    }
    return render(request, "pipelines/deal_detail.html#field-saved", context)


@login_required
@require_http_methods(["GET", "POST"])
def deal_field(request: HttpRequest, deal_id: int, field: str) -> HttpResponse:
    """GET: the small form for one field (or, with ?cancel, the value); POST: save it."""
    try:
        if field not in forms.FIELD_FORMS:
            raise NotFound(f"No field '{field}'.")
        deal = _deal(request, deal_id)
    except DomainError as exc:
        return alert(request, exc)
    if request.method == "GET":
        if request.GET.get("cancel"):
            return _render_field(request, field, deal, oob=False)
        return _render_form(request, field, _field_form(request, field, deal), deal)
    if not request.htmx:  # type: ignore[attr-defined]
        # Submitted before the page's script took over the form: save, then show the page.
        return _save_field_plainly(request, field, deal)
    form = _field_form(request, field, deal, data=request.POST)
    if not form.is_valid():
        return _render_form(request, field, form, deal, status=422)
    try:
        services.deal_update(
            actor=user_of(request),
            deal=deal,
            data=form.service_data(),
            version=_version(request),
        )
    except VersionConflict as exc:
        return _render_form(
            request, field, form, deal, conflict=error_message(exc), status=exc.status
        )
    except DomainError as exc:
        forms.add_domain_errors(form, exc, form.error_fields)
        return _render_form(request, field, form, deal, status=exc.status)
    return _render_field(request, field, _deal(request, deal_id), oob=True)


def _save_field_plainly(request: HttpRequest, field: str, deal: Deal) -> HttpResponse:
    form = _field_form(request, field, deal, data=request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(" ".join(str(e) for e in form.errors.values()))
        services.deal_update(
            actor=user_of(request), deal=deal, data=form.service_data(), version=_version(request)
        )
    except DomainError as exc:
        messages.error(request, error_message(exc))
    return redirect("pipelines:deal-detail", deal.pk)


# --- status: won, lost, reopen -------------------------------------------------------------


def _status_done(request: HttpRequest, deal: Deal, message: str) -> HttpResponse:
    messages.success(request, message)
    if is_htmx(request):
        return HttpResponseClientRefresh()
    return redirect("pipelines:deal-detail", deal.pk)


def _status_failed(request: HttpRequest, deal_id: int, exc: DomainError) -> HttpResponse:
    if is_htmx(request):
        return alert(request, exc)
    messages.error(request, error_message(exc))
    return redirect("pipelines:deal-detail", deal_id)


@login_required
@require_POST
def deal_won(request: HttpRequest, deal_id: int) -> HttpResponse:
    try:
        deal = _deal(request, deal_id)
        deal = services.deal_mark_won(
            actor=user_of(request),
            deal=deal,
            version=_version(request),
            override_reason=request.POST.get("override_reason", "")[:2000],
        )
    except DomainError as exc:
        return _status_failed(request, deal_id, exc)
    return _status_done(request, deal, _("Marked as won. Congratulations!"))


@login_required
@require_POST
def deal_reopen(request: HttpRequest, deal_id: int) -> HttpResponse:
    try:
        deal = _deal(request, deal_id)
        deal = services.deal_reopen(actor=user_of(request), deal=deal, version=_version(request))
    except DomainError as exc:
        return _status_failed(request, deal_id, exc)
    return _status_done(request, deal, _("The deal is open again."))


@login_required
@require_POST
def deal_lost(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Lose with a reason and objection tags; errors come back in the dialog's form."""
    try:
        deal = _deal(request, deal_id)
    except DomainError as exc:
        return _status_failed(request, deal_id, exc)
    form = forms.LostForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            deal = services.deal_mark_lost(
                actor=user_of(request),
                deal=deal,
                version=_version(request),
                lost_reason=form.cleaned_data["lost_reason"],
                objection_tags=form.cleaned_data["objection_tags"],
            )
        except DomainError as exc:
            status = exc.status
            if isinstance(exc, VersionConflict) or not exc.fields:
                form.add_error(None, error_message(exc))
            else:
                forms.add_domain_errors(form, exc, {})
        else:
            return _status_done(request, deal, _("Marked as lost."))
    if not is_htmx(request):
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("pipelines:deal-detail", deal_id)
    context = {"deal": deal, "lost_form": form}
    return render(request, "pipelines/deal_detail.html#lost-form", context, status=status)


# --- a new deal ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    pipelines = list(selectors.pipeline_list())
    owners = owner_options(user)
    status = 200
    if request.method == "POST":
        form = forms.DealCreateForm(request.POST, pipelines=pipelines, owners=owners)
        status = 422
        if form.is_valid():
            try:
                deal = services.deal_create(actor=user, data=form.data_for_service())
            except DomainError as exc:
                forms.add_domain_errors(form, exc, form.error_fields)
                status = exc.status
            else:
                messages.success(request, _("Deal created."))
                return redirect("pipelines:deal-detail", deal.pk)
    else:
        initial = _create_initial(request, pipelines, user)
        form = forms.DealCreateForm(initial=initial, pipelines=pipelines, owners=owners)
    org_id = form.data.get("organization") if form.is_bound else None
    context = {
        "form": form,
        "has_pipelines": bool(pipelines),
        "can_assign": len(owners) > 1,
        "chosen_organization": (
            Organization.objects.visible_to(user).filter(pk=int(org_id)).first()
            if org_id and str(org_id).isdigit() and len(str(org_id)) < 19
            else None
        ),
    }
    return render(request, "pipelines/deal_create.html", context, status=status)


def _create_initial(request: HttpRequest, pipelines: list[Any], user: Any) -> dict[str, Any]:
    """Pre-select the stage (?stage=) or the first stage of a pipeline (?pipeline=)."""
    stages = {s.pk: s for p in pipelines for s in p.stages.all()}
    stage_id = request.GET.get("stage", "")
    if not (stage_id.isdigit() and int(stage_id) in stages):
        pipeline_id = request.GET.get("pipeline", "")
        first = next(
            (p for p in pipelines if str(p.pk) == pipeline_id and p.stages.all()),
            pipelines[0] if pipelines else None,
        )
        stage_id = str(first.stages.all()[0].pk) if first and first.stages.all() else ""
    return {"stage": stage_id, "owner": user.pk}
