"""JSON API for imports: upload, mapping, dry run, run, progress and report."""

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from lejek.accounts.auth import AuthedRequest
from lejek.core.errors import NotFound, ValidationFailed
from lejek.core.listing import errors
from lejek.dataio import fields, importer, schemas
from lejek.dataio.models import Duplicates, ImportJob, ImportKind, SavedMapping

router = Router(tags=["imports"])
MAX_UPLOAD = 200 * 1024 * 1024


@router.get("/fields/{kind}", response={200: list[schemas.ImportFieldOut], **errors(404)})
def list_fields(request: AuthedRequest, kind: str):
    spec = fields.KINDS.get(kind)
    if spec is None:
        raise NotFound(f"Unknown kind '{kind}'.")
    return [
        {"name": f.name, "type": f.type, "label": f.label, "required": f.required}
        for f in spec.fields
    ]


@router.get("/mappings", response={200: list[schemas.MappingOut], **errors()})
def list_mappings(request: AuthedRequest, kind: str | None = None):
    qs = SavedMapping.objects.filter(created_by=request.user)
    return qs.filter(kind=kind) if kind else qs


@router.post("/mappings", response={201: schemas.MappingOut, **errors()})
def save_mapping(request: AuthedRequest, payload: schemas.MappingIn):
    found = importer.mapping_save(
        actor=request.user, name=payload.name, kind=payload.kind, columns=payload.columns
    )
    return Status(201, found)


@router.get("", response={200: list[schemas.ImportJobOut], **errors()})
def list_imports(request: AuthedRequest):
    qs = ImportJob.objects.defer("data")
    if not request.user.is_admin:
        qs = qs.filter(created_by=request.user)
    return qs[:100]


@router.post("", response={201: schemas.ImportJobOut, **errors()})
def create_import(
    request: AuthedRequest,
    file: File[UploadedFile],
    kind: Form[str],
    source: Form[str] = "import",
    duplicates: Form[str] = Duplicates.UPDATE,
):
    """Upload a CSV or XLSX file; the mapping comes back suggested from its headers."""
    if kind not in ImportKind.values:
        raise ValidationFailed.field("kind", f"Unknown kind '{kind}'.")
    if file.size and file.size > MAX_UPLOAD:
        raise ValidationFailed.field("file", "The file is larger than 200 MB.")
    job = importer.job_create(
        actor=request.user,
        kind=kind,
        filename=file.name or "upload.csv",
        data=file.read(),
        source=source,
        duplicates=duplicates,
    )
    return Status(201, job)


@router.get("/{id:job_id}", response={200: schemas.ImportJobOut, **errors(404)})
def get_import(request: AuthedRequest, job_id: int):
    return importer.job_for(request.user, job_id)


@router.patch("/{id:job_id}", response={200: schemas.ImportJobOut, **errors(404, 409)})
def update_import(request: AuthedRequest, job_id: int, payload: schemas.ImportJobPatch):
    job = importer.job_for(request.user, job_id)
    columns = payload.columns
    if payload.mapping_id is not None:
        mapping = SavedMapping.objects.filter(
            pk=payload.mapping_id, created_by=request.user
        ).first()
        if mapping is None:
            raise ValidationFailed.field("mapping_id", "No such saved mapping.")
        columns = importer.mapping_apply(job, mapping)
    return importer.job_configure(
        actor=request.user,
        job=job,
        columns=columns,
        duplicates=payload.duplicates,
        source=payload.source,
        options=payload.options,
    )


@router.post("/{id:job_id}/dry-run", response={200: schemas.ImportJobOut, **errors(404)})
def dry_run_import(request: AuthedRequest, job_id: int):
    """Check every row without keeping anything; the report lists each rejected row."""
    job = importer.job_for(request.user, job_id)
    importer.dry_run(job=job)
    return job


@router.post("/{id:job_id}/run", response={202: schemas.ImportJobOut, **errors(404, 409)})
def run_import(request: AuthedRequest, job_id: int):
    """Queue the import (or resume one that stopped); poll the job for progress."""
    job = importer.job_for(request.user, job_id)
    return Status(202, importer.job_start(actor=request.user, job=job))
