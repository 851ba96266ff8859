"""The pipeline editor (administrators only): create from a template, edit stages, reorder, remove.

Every change is a POST that calls one service and redirects back (the reorder script posts
with fetch and gets JSON); refusals come back as messages on the page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from lejek.accounts import access
from lejek.core.errors import DomainError, NotFound
from lejek.pipelines import editor_forms, forms, selectors, services
from lejek.pipelines.models import Deal, Pipeline, Stage
from lejek.pipelines.templates import TEMPLATES
from lejek.pipelines.views import error_message, error_page, user_of


def _admin_only(request: HttpRequest) -> None:
    access.require_admin(user_of(request), "design pipelines")


def _pipeline(pipeline_id: int) -> Pipeline:
    found = selectors.pipeline_list(include_inactive=True).filter(pk=pipeline_id).first()
    if found is None:
        raise NotFound(f"Pipeline {pipeline_id} was not found.")
    return found


def _stage(pipeline: Pipeline, stage_id: int) -> Stage:
    found = next((s for s in pipeline.stages.all() if s.pk == stage_id), None)
    if found is None:
        raise NotFound(f"Stage {stage_id} was not found in this pipeline.")
    return found


def _back(pipeline_id: int) -> HttpResponse:
    return redirect("pipelines:pipeline-edit", pipeline_id)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_list(request: HttpRequest) -> HttpResponse:
    """Every pipeline with its stages and open deals; POST creates one."""
    try:
        _admin_only(request)
    except DomainError as exc:
        return error_page(request, exc)
    status = 200
    if request.method == "POST":
        form = editor_forms.PipelineCreateForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                pipeline = services.pipeline_create(
                    actor=user_of(request),
                    name=data["name"].strip() or None,
                    template=data["template"] or None,
                    stages=data["stages"],
                )
            except DomainError as exc:
                forms.add_domain_errors(form, exc, {"template": "template"})
                status = exc.status
            else:
                messages.success(request, _("Pipeline created. Adjust its stages here."))
                return _back(pipeline.pk)
    else:
        form = editor_forms.PipelineCreateForm(initial={"template": "probability_weighted"})
    pipelines = selectors.pipeline_list(include_inactive=True).annotate(
        open_deals=Count("deals", filter=Q(deals__status=Deal.Status.OPEN, deals__deleted_at=None))
    )
    context = {
        "pipelines": pipelines,
        "form": form,
        "templates": [
            {"key": key, "label": editor_forms.TEMPLATE_LABELS.get(key, t.name), "template": t}
            for key, t in TEMPLATES.items()
        ],
    }
    return render(request, "pipelines/pipeline_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """The stages of one pipeline; POST renames it or switches it on or off."""
    try:
        _admin_only(request)
        pipeline = _pipeline(pipeline_id)
    except DomainError as exc:
        return error_page(request, exc)
    if request.method == "POST":
        form = editor_forms.PipelineRenameForm(request.POST)
        if form.is_valid():
            try:
                services.pipeline_update(
                    actor=user_of(request),
                    pipeline=pipeline,
                    data={"name": form.cleaned_data["name"].strip(), **_active(form)},
                )
            except DomainError as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, _("Pipeline saved."))
        else:
            messages.error(request, _form_errors(form))
        return _back(pipeline.pk)
    stages = list(pipeline.stages.all())
    counts = dict(
        Deal.objects.filter(stage__in=stages)
        .order_by()
        .values("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
    rows = [
        {
            "stage": stage,
            "form": editor_forms.StageForm(
                initial={
                    "name": stage.name,
                    "probability": stage.probability,
                    "rotting_days": stage.rotting_days,
                },
                prefix=f"stage-{stage.pk}",
            ),
            "deals": counts.get(stage.pk, 0),
            "remove_form": editor_forms.StageRemoveForm(
                stage=stage, others=stages, prefix=f"remove-{stage.pk}"
            ),
        }
        for stage in stages
    ]
    context = {
        "pipeline": pipeline,
        "rows": rows,
        "rename_form": editor_forms.PipelineRenameForm(
            initial={"name": pipeline.name, "is_active": pipeline.is_active}
        ),
        "add_form": editor_forms.StageForm(initial={"probability": 0}, prefix="new"),
    }
    return render(request, "pipelines/pipeline_edit.html", context)


def _active(form: editor_forms.PipelineRenameForm) -> dict[str, Any]:
    # The switch is only on the form when the field was rendered; absent means "off".
    return {"is_active": bool(form.cleaned_data.get("is_active"))}


def _editing(request: HttpRequest, pipeline_id: int) -> Pipeline:
    _admin_only(request)
    return _pipeline(pipeline_id)


@login_required
@require_POST
def stage_add(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    try:
        pipeline = _editing(request, pipeline_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = editor_forms.StageForm(request.POST, prefix="new")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pipeline.pk)
    try:
        stage = services.stage_add(
            actor=user_of(request), pipeline=pipeline, data=form.service_data()
        )
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return _back(pipeline.pk)


@login_required
@require_POST
def stage_update(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    try:
        pipeline = _editing(request, pipeline_id)
        stage = _stage(pipeline, stage_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = editor_forms.StageForm(request.POST, prefix=f"stage-{stage.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pipeline.pk)
    try:
        services.stage_update(actor=user_of(request), stage=stage, data=form.service_data())
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return _back(pipeline.pk)


@login_required
@require_POST
def stage_shift(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """Move one stage up or down by one place (the buttons beside the drag handle)."""
    try:
        pipeline = _editing(request, pipeline_id)
        stage = _stage(pipeline, stage_id)
    except DomainError as exc:
        return error_page(request, exc)
    form = editor_forms.StageShiftForm(request.POST)
    ids = [s.pk for s in pipeline.stages.all()]
    if form.is_valid():
        index = ids.index(stage.pk)
        other = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            services.stages_reorder(actor=user_of(request), pipeline=pipeline, stage_ids=ids)
    return _back(pipeline.pk)


@login_required
@require_POST
def stage_order(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """The whole new order from the drag and drop script: JSON in, JSON out."""
    try:
        pipeline = _editing(request, pipeline_id)
        form = editor_forms.StageOrderForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"ok": False, "message": _form_errors(form)}, status=422)
        services.stages_reorder(
            actor=user_of(request), pipeline=pipeline, stage_ids=form.cleaned_data["stage_ids"]
        )
    except DomainError as exc:
        return JsonResponse({"ok": False, "message": error_message(exc)}, status=exc.status)
    return JsonResponse({"ok": True, "message": _("Stage order saved.")})


@login_required
@require_POST
def stage_remove(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """Remove a stage; its deals (open and closed) move to the chosen stage, with history."""
    try:
        pipeline = _editing(request, pipeline_id)
        stage = _stage(pipeline, stage_id)
    except DomainError as exc:
        return error_page(request, exc)
    others = list(pipeline.stages.all())
    form = editor_forms.StageRemoveForm(
        request.POST, stage=stage, others=others, prefix=f"remove-{stage.pk}"
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(pipeline.pk)
    target = next(s for s in others if s.pk == form.cleaned_data["move_to"])
    try:
        moved = services.stage_remove(actor=user_of(request), stage=stage, move_to=target)
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(
            request,
            ngettext(
                "Stage %(name)s removed; %(count)d deal moved to %(target)s.",
                "Stage %(name)s removed; %(count)d deals moved to %(target)s.",
                moved,
            )
            % {"name": stage.name, "count": moved, "target": target.name},
        )
    return _back(pipeline.pk)
