"""Import pages: upload, mapping, dry run, run with a progress bar, final report."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lejek.core.errors import DomainError, ValidationFailed
from lejek.dataio import fields, importer
from lejek.dataio.models import Duplicates, ImportJob, ImportKind, SavedMapping
from lejek.web.http import domain_errors, error_message, user_of


def _index_context(request: HttpRequest, error: str = "") -> dict[str, Any]:
    user = user_of(request)
    jobs = ImportJob.objects.defer("data")
    if not user.is_admin:
        jobs = jobs.filter(created_by=user)
    return {
        "jobs": jobs[:30],
        "kinds": ImportKind.choices,
        "duplicates": Duplicates.choices,
        "error": error,
    }


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponseBase:
    if request.method == "GET":
        return render(request, "dataio/imports.html", _index_context(request))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed.field("file", "Choose a file to import.")
        job = importer.job_create(
            actor=user_of(request),
            kind=request.POST.get("kind", ""),
            filename=upload.name or "upload.csv",
            data=upload.read(),
            source=request.POST.get("source", "import"),
            duplicates=request.POST.get("duplicates", Duplicates.UPDATE),
        )
    except DomainError as exc:
        context = _index_context(request, error_message(exc))
        return render(request, "dataio/imports.html", context, status=exc.status)
    return redirect("dataio:job", pk=job.pk)


def _job_context(job: ImportJob, user: Any) -> dict[str, Any]:
    spec = fields.KINDS[job.kind]
    return {
        "job": job,
        "field_choices": [(f.name, f.label + (" *" if f.required else "")) for f in spec.fields],
        "mapping_errors": fields.check(job.kind, job.columns),
        "duplicates": Duplicates.choices,
        "mappings": SavedMapping.objects.filter(created_by=user, kind=job.kind),
    }


@login_required
@require_GET
@domain_errors
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    job = importer.job_for(user, pk)
    return render(request, "dataio/job.html", _job_context(job, user))


@login_required
@require_POST
@domain_errors
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the edited mapping (and keep it by name if asked), or apply a saved one."""
    user = user_of(request)
    job = importer.job_for(user, pk)
    saved_id = request.POST.get("mapping_id")
    if saved_id:
        mapping = SavedMapping.objects.filter(pk=saved_id, created_by=user).first()
        if mapping is None:
            raise ValidationFailed.field("mapping_id", "No such saved mapping.")
        columns = importer.mapping_apply(job, mapping)
    else:
        columns = {h: request.POST.get(f"col_{i}", "") for i, h in enumerate(job.columns)}
    importer.job_configure(
        actor=user,
        job=job,
        columns=columns,
        duplicates=request.POST.get("duplicates", job.duplicates),
        source=request.POST.get("source", job.source),
    )
    name = request.POST.get("save_as", "").strip()
    if name:
        importer.mapping_save(actor=user, name=name, kind=job.kind, columns=job.columns)
    return redirect("dataio:job", pk=job.pk)


@login_required
@require_POST
@domain_errors
def job_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.job_for(user_of(request), pk)
    importer.dry_run(job=job)
    return redirect("dataio:job", pk=job.pk)


@login_required
@require_POST
@domain_errors
def job_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = importer.job_for(user_of(request), pk)
    importer.job_start(actor=user_of(request), job=job)
    return redirect("dataio:job", pk=job.pk)


@login_required
@require_GET
@domain_errors
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (polled by htmx until the job finishes), then the final report."""
    user = user_of(request)
    job = importer.job_for(user, pk)
    return render(request, "dataio/job.html#progress", _job_context(job, user))
