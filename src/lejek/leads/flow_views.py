"""Pages of the lead flow: duplicates and merge, conversion, routing, the settings of web
forms and routing rules. Everything goes through the same services as the API."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lejek.core.errors import DomainError, NotFound
from lejek.leads import capture, conversion, duplicates, merge, routing, selectors
from lejek.leads.flow_forms import ConvertForm, RoutingRuleForm, WebFormForm
from lejek.leads.models import RoutingRule, WebForm
from lejek.web.http import add_errors, domain_errors, error_message, staff_only, user_of


def _version(request: HttpRequest, name: str = "version") -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) <= 10 else -1


# --- on the lead page ---------------------------------------------------------------------


@login_required
@domain_errors
def lead_duplicates(request: HttpRequest, pk: int) -> HttpResponse:
    """The possible duplicates card (loaded by htmx on the lead page)."""
    user = user_of(request)
    lead = selectors.lead_detail(user=user, pk=pk)
    context = {"lead": lead, "candidates": duplicates.of_lead(user=user, lead=lead)}
    return render(request, "leads/duplicates_card.html", context)


@login_required
@require_POST
@domain_errors
def lead_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the lead named in the form into this one."""
    other = request.POST.get("other_id", "")
    if not other.isdigit() or len(other) > 18:
        raise NotFound("Lead was not found.")
    try:
        merge.lead_merge(
            actor=user_of(request),
            keep_id=pk,
            other_id=int(other),
            keep_version=_version(request),
            other_version=_version(request, "other_version"),
        )
    except DomainError as exc:
        messages.error(request, error_message(exc))
        return redirect("leads:lead-detail", pk=pk)
    messages.success(request, _("The leads were merged; nothing of either was lost."))
    return redirect("leads:lead-detail", pk=pk)


@login_required
@domain_errors
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    lead = selectors.lead_detail(user=user, pk=pk)
    initial = {"title": lead.company_name or lead.display_name, "amount": lead.budget}
    form = ConvertForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                result = conversion.lead_convert(
                    actor=user, lead=lead, version=_version(request), data=form.service_data()
                )
            except DomainError as exc:
                add_errors(form, exc, {"pipeline_id": "pipeline"})
                status = exc.status
            else:
                messages.success(request, _("The lead was converted into a deal."))
                return redirect("pipelines:deal-detail", deal_id=result.deal.pk)
    candidates = duplicates.of_lead(user=user, lead=lead)
    context = {"lead": lead, "form": form, "candidates": candidates}
    return render(request, "leads/convert.html", context, status=status)


@login_required
@require_POST
@domain_errors
def lead_route(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    lead = selectors.lead_detail(user=user, pk=pk)
    try:
        routed = routing.lead_route(actor=user, lead=lead, version=_version(request))
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        name = routed.owner.display_name
        messages.success(request, _("The lead was given to %(name)s.") % {"name": name})
    return redirect("leads:lead-detail", pk=pk)


# --- settings -----------------------------------------------------------------------------


def _saved(form: Any, save: Callable[[], Any], names: dict[str, str]) -> bool:
    try:
        save()
    except DomainError as exc:
        add_errors(form, exc, names)
        return False
    return True


@staff_only
def settings_page(request: HttpRequest) -> HttpResponse:
    context = {
        "forms": WebForm.objects.order_by("name", "pk"),
        "rules": RoutingRule.objects.select_related("team", "user").order_by("position", "pk"),
    }
    return render(request, "leads/flow_settings.html", context)


@staff_only
@domain_errors
def webform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = WebForm.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and found is None:
        raise NotFound(f"Web form {pk} was not found.")
    initial = WebFormForm.initial_of(found) if found else {}
    form = WebFormForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                data = form.service_data()
            except ValidationError as exc:  # the mapping lines could not be read
                form.add_error("mapping", exc)
            else:
                actor = user_of(request)

                def save() -> None:
                    if found is None:
                        capture.form_create(actor=actor, data=data)
                    else:
                        capture.form_update(
                            actor=actor, form=found, data=data, version=_version(request)
                        )

                if _saved(
                    form,
                    save,
                    {
                        "default_owner_id": "default_owner",
                        "required": "mapping",
                        "fields": "mapping",
                    },
                ):
                    messages.success(request, _("The web form was saved."))
                    return redirect("leads:flow-settings")
    context = {"form": form, "webform": found}
    return render(request, "leads/webform_form.html", context, status=status)


@staff_only
@domain_errors
def routing_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = RoutingRule.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and found is None:
        raise NotFound(f"Routing rule {pk} was not found.")
    initial = RoutingRuleForm.initial_of(found) if found else {}
    form = RoutingRuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.service_data()
            actor = user_of(request)

            def save() -> None:
                if found is None:
                    routing.rule_create(actor=actor, data=data)
                else:
                    routing.rule_update(
                        actor=actor, rule=found, data=data, version=_version(request)
                    )

            if _saved(form, save, {"team_id": "team", "user_id": "user"}):
                messages.success(request, _("The routing rule was saved."))
                return redirect("leads:flow-settings")
    context = {"form": form, "rule": found}
    return render(request, "leads/routing_form.html", context, status=status)


@staff_only
@require_POST
@domain_errors
def routing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    found = RoutingRule.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Routing rule {pk} was not found.")
    routing.rule_delete(actor=user_of(request), rule=found)
    messages.success(request, _("The routing rule was deleted."))
    return redirect("leads:flow-settings")
