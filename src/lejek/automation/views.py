"""Automation pages: rules, stage checklists, the business calendar, webhooks, the run log.

Managers and admins see these pages; only admins change anything (the services say so).
"""

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lejek.accounts.models import User
from lejek.automation import checklists, forms, rules, selectors, services, webhooks
from lejek.automation.actions import ACTIONS
from lejek.automation.models import AutomationRun, Holiday, WebhookSubscription
from lejek.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from lejek.pipelines import selectors as pipeline_selectors
from lejek.pipelines.models import Stage
from lejek.web.http import staff_only


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _saved(request: HttpRequest, form: forms.StyledForm, save: Callable[[], Any]) -> bool:
    """Run a service; True on success, else its errors are on the form."""
    try:
        save()
    except ValidationFailed as exc:
        form.add_domain_error(exc)
        return False
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        form.add_error(None, exc.message)
        return False
    return True


@staff_only
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "automation/rule_list.html", {"rules": selectors.rule_list()})


@staff_only
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = selectors.rule_get(pk) if pk is not None else None
    initial = {}
    if rule is not None:
        initial = {
            name: getattr(rule, name)
            for name in ("name", "description", "entity_type", "trigger", "is_active")
        }
        initial |= {
            "trigger_params": rule.trigger_params,
            "conditions": rule.conditions,
            "actions": rule.actions,
        }
    form = forms.RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)

        def save() -> None:
            if rule is None:
                rules.rule_create(actor=_actor(request), data=data)
            else:
                rules.rule_update(actor=_actor(request), rule=rule, data=data, version=rule.version)

        if _saved(request, form, save):
            messages.success(request, _("The rule was saved."))
            return redirect("automation:rule-list")
    context = {"form": form, "rule": rule, "actions": action_reference()}
    return render(request, "automation/rule_form.html", context)


def action_reference() -> list[dict[str, Any]]:
    """The action types and their parameters, shown beside the rule editor."""
    return [
        {"type": a.type, "label": a.label, "params": list(a.params.model_fields)}
        for a in ACTIONS.values()
    ]


@staff_only
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rules.rule_delete(actor=_actor(request), rule=selectors.rule_get(pk))
    messages.success(request, _("The rule was deleted."))
    return redirect("automation:rule-list")


@staff_only
def rule_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(pk)
    form = forms.DryRunForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            record = selectors.visible_record(
                _actor(request), rule.entity_type, form.cleaned_data["entity_id"]
            )
            result = rules.dry_run(rule=rule, record=record, actor=_actor(request))
        except NotFound as exc:
            form.add_error("entity_id", exc.message)
    context = {"rule": rule, "form": form, "result": result}
    return render(request, "automation/rule_dry_run.html", context)


@staff_only
def checklist_overview(request: HttpRequest) -> HttpResponse:
    pipelines = list(pipeline_selectors.pipeline_list())
    rows = []
    for pipeline in pipelines:
        stages = [(stage, checklists.steps_of(stage)) for stage in pipeline.stages.all()]
        rows.append({"pipeline": pipeline, "stages": stages})
    return render(request, "automation/checklists.html", {"rows": rows})


@staff_only
def checklist_edit(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = Stage.objects.active().select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise Http404
    checklist = checklists.checklist_for(stage)
    initial = [
        {
            "id": s.pk,
            "title": s.title,
            "kind": s.kind,
            "required": s.required,
            "anchor": s.anchor,
            "offset_value": s.offset_value,
            "offset_unit": s.offset_unit,
            "actions": s.actions,
        }
        for s in checklists.steps_of(stage)
    ]
    fields = checklist.required_fields if checklist else []
    formset = forms.StepFormSet(request.POST or None, initial=initial, prefix="steps")
    gate = forms.GateForm(request.POST or None, initial={"required_fields": fields})
    if request.method == "POST" and formset.is_valid() and gate.is_valid():
        steps = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

        def save() -> None:
            checklists.checklist_save(
                actor=_actor(request),
                stage=stage,
                steps=steps,
                required_fields=gate.cleaned_data["required_fields"],
            )

        if _saved(request, gate, save):
            messages.success(request, _("The checklist was saved."))
            return redirect("automation:checklist-overview")
    context = {"stage": stage, "formset": formset, "gate": gate}
    return render(request, "automation/checklist_form.html", context)


@staff_only
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 1900), 2200)
    form = forms.HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> None:
            services.holiday_add(actor=_actor(request), date=data["date"], name=data["name"])

        if _saved(request, form, save):
            messages.success(request, _("The holiday was added."))
            return redirect(f"{request.path}?year={data['date'].year}")
    context = {"form": form, "year": year, "holidays": selectors.holidays(year)}
    return render(request, "automation/calendar.html", context)


@staff_only
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = Holiday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404
    services.holiday_remove(actor=_actor(request), holiday=holiday)
    return redirect(f"{redirect('automation:calendar').url}?year={holiday.date.year}")


@staff_only
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = forms.WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created: list[WebhookSubscription] = []

        def save() -> None:
            created.append(
                webhooks.subscription_create(actor=_actor(request), data=dict(form.cleaned_data))
            )

        if _saved(request, form, save):
            messages.success(
                request,
                _("Webhook created. Its signing secret, shown only now: %(secret)s")
                % {"secret": created[0].secret},
            )
            return redirect("automation:webhook-list")
    context = {"form": form, "subscriptions": selectors.webhooks()}
    return render(request, "automation/webhook_list.html", context)


def _subscription(pk: int) -> WebhookSubscription:
    found = WebhookSubscription.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@staff_only
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(pk)
    deliveries = selectors.deliveries(subscription).order_by("-created_at", "-id")[:100]
    context = {"subscription": subscription, "deliveries": deliveries}
    return render(request, "automation/webhook_detail.html", context)


@staff_only
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhooks.subscription_delete(actor=_actor(request), subscription=_subscription(pk))
    messages.success(request, _("The webhook was deleted."))
    return redirect("automation:webhook-list")


@staff_only
def run_list(request: HttpRequest) -> HttpResponse:
    form = forms.RunFilterForm(request.GET or None)
    runs = AutomationRun.objects.order_by("-created_at", "-id")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["status"]:
            runs = runs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["entity_type"]:
            runs = runs.filter(entity_type=form.cleaned_data["entity_type"])
    context = {"form": form, "runs": runs[:200]}
    return render(request, "automation/run_list.html", context)


@staff_only
@require_POST
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = AutomationRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    try:
        services.run_retry(actor=_actor(request), run=run)
        messages.success(request, _("The run will be tried again."))
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, exc.message)
    return redirect("automation:run-list")
