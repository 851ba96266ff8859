"""Importing deals and their stage history, as they happened in the system they came from.

A deal keeps its creation time, stage, status and close time from the file; its
history says so (a StageChange "imported" into its stage when created, a
StatusChange when it is won or lost), so analytics read it like any other deal.
No automation fires for history that happened elsewhere.

A stage-history row (deal external id, stage, entered at) adds one StageChange,
once: a deal's imported change into that stage at that time is the row, so a re-run
finds it (the row needs no external id of its own; its deal has one).
The placeholder written when the deal was imported gives way to the real history;
after each batch the imported rows of the touched deals are chained (each row's
`from_stage` is the stage entered before it) and the deal sits in the stage its
latest row entered. From then on the history decides the deal's stage: importing
the deals file again updates their other fields but does not move them back.
"""

from typing import Any

from django.db.models import F
from django.utils import timezone

from lejek.accounts import access
from lejek.analytics import summaries as analytics_summaries
from lejek.core import audit, money, records
from lejek.core.errors import Forbidden
from lejek.core.models import AuditEntry
from lejek.dataio.models import Duplicates, ImportKind
from lejek.dataio.rows import RowError
from lejek.dataio.writers import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Context,
    Outcome,
    choice,
    default_currency,
    noon,
)
from lejek.leads.models import Source
from lejek.pipelines.models import Deal, Pipeline, Stage, StageChange, StatusChange

PLACEHOLDER = "import: stage when imported"
WON_NAMES = {"won", "closed won", "closedwon", "wygrana", "wygrane", "выиграна", "успешно"}
LOST_NAMES = {"lost", "closed lost", "closedlost", "przegrana", "przegrane", "проиграна"}
STATUS_NAMES = {
    "open": "open",
    "otwarta": "open",
    "открыта": "open",
    **dict.fromkeys(WON_NAMES, "won"),
    **dict.fromkeys(LOST_NAMES, "lost"),
}


def _pipeline(ctx: Context, name: str | None) -> Pipeline:
    pipelines = Pipeline.objects.filter(is_active=True)
    if name:
        found = pipelines.filter(name__iexact=name.strip()).order_by("pk").first()
        if found is None:
            raise RowError("pipeline", f"No active pipeline named '{name}'.")
        return found
    default = ctx.options.get("pipeline_id")
    found = (pipelines.filter(pk=default) if default else pipelines).order_by("order", "pk").first()
    if found is None:
        raise RowError("pipeline", "There is no active pipeline to import deals into.")
    return found


def _stage(pipeline: Pipeline, name: str) -> Stage | None:
    return pipeline.stages.active().filter(name__iexact=name.strip()).order_by("order").first()


def _stage_and_status(pipeline: Pipeline, values: dict[str, Any]) -> tuple[Stage, str]:
    """The stage and status a row says; a stage named "Closed Won" (HubSpot, Salesforce)
    is a status, and such a deal sits in the pipeline's last (won) or first (lost) stage."""
    status = STATUS_NAMES.get(values.get("status", "").strip().lower())
    if values.get("status") and status is None:
        raise RowError("status", f"Unknown status '{values['status']}'; use open, won or lost.")
    stages = pipeline.stages.active().order_by("order", "pk")
    name = values.get("stage", "")
    stage = _stage(pipeline, name) if name else None
    if stage is None and name:
        by_name = STATUS_NAMES.get(name.strip().lower())
        if by_name in ("won", "lost"):
            status = status or by_name
            stage = stages.last() if by_name == "won" else stages.first()
        else:
            raise RowError("stage", f"No stage '{name}' in the pipeline '{pipeline.name}'.")
    stage = stage or stages.first()
    if stage is None:
        raise RowError("stage", f"The pipeline '{pipeline.name}' has no active stage.")
    return stage, status or "open"


def _amount(values: dict[str, Any]) -> tuple[Any, str | None]:
    amount, written = values.get("amount", (None, None))
    currency = (values.get("currency") or "").strip().upper() or None
    if written and currency and written != currency:
        raise RowError("currency", f"The amount is in {written} but the currency says {currency}.")
    currency = currency or written
    if currency and not money.is_currency(currency):
        raise RowError("currency", f"Unknown currency '{currency}'.")
    return (money.quantize(amount) if amount is not None else None), currency


def deal(ctx: Context, values: dict[str, Any]) -> Outcome:
    pipeline = _pipeline(ctx, values.get("pipeline"))
    stage, status = _stage_and_status(pipeline, values)
    amount, currency = _amount(values)
    org = ctx.organization(values.get("organization"))
    owner_id = ctx.owner_id(values.get("owner"))
    try:
        owner = access.assignable_owner(actor=ctx.actor, owner_id=owner_id)
    except Forbidden as exc:
        raise RowError("owner", exc.message) from exc
    closed_at = values.get("closed_at")
    if status != "open" and closed_at is None:
        if "expected_close_date" not in values:
            raise RowError("closed_at", f"A {status} deal needs the date it was {status}.")
        closed_at = noon(values["expected_close_date"])
    plain: dict[str, Any] = {"title": values["title"]}
    if "owner" in values:  # an update keeps the owner unless the file names one
        plain["owner"] = owner
    for name in ("expected_close_date", "lost_reason"):
        if name in values:
            plain[name] = values[name]
    if amount is not None:
        plain["amount"] = amount
    if currency:
        plain["currency"] = currency
    if org is not None:
        plain["organization"] = org
    if "source" in values:
        plain["source"] = choice(Source, values["source"], "source", {"web": "web_form"})

    external = values.get("external_id")
    link, existing = ctx.record_for(ImportKind.DEAL, Deal, external) if external else (None, None)
    via_external = existing is not None
    if existing is None and ctx.duplicates != Duplicates.CREATE:
        existing = (
            Deal.objects.visible_to(ctx.actor)
            .filter(title__iexact=values["title"], organization=org)
            .order_by("pk")
            .first()
        )
    if existing is not None:
        if external:
            ctx.link(ImportKind.DEAL, external, existing.pk, link)
        if ctx.duplicates == Duplicates.SKIP:
            why = "already imported as" if via_external else "duplicate of"
            return Outcome(SKIPPED, existing.pk, f"Skipped: {why} deal #{existing.pk}.")
        changed = _update(ctx, existing, plain, stage, status, closed_at)
        return Outcome(UPDATED if changed else UNCHANGED, existing.pk)
    created = _create(ctx, values, plain, pipeline, stage, status, closed_at)
    if external:
        ctx.link(ImportKind.DEAL, external, created.pk, link)
    return Outcome(CREATED, created.pk)


def _create(
    ctx: Context,
    values: dict[str, Any],
    plain: dict[str, Any],
    pipeline: Pipeline,
    stage: Stage,
    status: str,
    closed_at: Any,
) -> Deal:
    created_at = values.get("created_at") or timezone.now()
    plain.setdefault("currency", default_currency())
    plain.setdefault("owner", ctx.actor)
    instance = Deal(
        **plain,
        pipeline=pipeline,
        stage=stage,
        status=status,
        closed_at=closed_at if status != "open" else None,
        created_at=created_at,
        updated_at=timezone.now(),
        stage_entered_at=created_at,
    )
    found = records.create(actor=ctx.actor, instance=instance)
    StageChange.objects.create(
        deal=found,
        pipeline=pipeline,
        to_stage=stage,
        actor=ctx.actor,
        at=created_at,
        reason=StageChange.Reason.IMPORTED,
        note=PLACEHOLDER,
    )
    if status != "open":
        _status_change(ctx, found, "open", status, closed_at)
    ctx.touched_deals.add(found.pk)
    return found


def _status_change(ctx: Context, deal: Deal, old: str, new: str, at: Any) -> None:
    StatusChange.objects.create(
        deal=deal,
        from_status=old,
        to_status=new,
        stage_id=deal.stage_id,
        amount=deal.amount,
        currency=deal.currency,
        lost_reason=deal.lost_reason if new == "lost" else "",
        actor=ctx.actor,
        at=at or timezone.now(),
    )


def _update(
    ctx: Context,
    deal: Deal,
    plain: dict[str, Any],
    stage: Stage,
    status: str,
    closed_at: Any,
) -> bool:
    version = deal.version
    records.update(actor=ctx.actor, instance=deal, changes=plain, expected_version=deal.version)
    changed = deal.version != version
    now = timezone.now()
    if stage.pk != deal.stage_id and not _has_history(deal):
        old = deal.stage
        deal.version = records.bump_version(
            Deal, deal.pk, deal.version, stage=stage, pipeline_id=stage.pipeline_id,
            stage_entered_at=now, updated_at=now,
        )  # fmt: skip
        StageChange.objects.create(
            deal=deal, pipeline_id=stage.pipeline_id, from_stage=old, to_stage=stage,
            actor=ctx.actor, at=now, reason=StageChange.Reason.IMPORTED,
        )  # fmt: skip
        audit.log_event(
            actor=ctx.actor, instance=deal, action=AuditEntry.Action.STAGE_CHANGED,
            field="stage", old=old.name, new=stage.name, note="import",
        )  # fmt: skip
        deal.stage, changed = stage, True
    if status != deal.status:
        old_status = deal.status
        at = closed_at if status != "open" else None
        deal.version = records.bump_version(
            Deal, deal.pk, deal.version, status=status, closed_at=at, updated_at=now
        )
        _status_change(ctx, deal, old_status, status, at or now)
        audit.log_event(
            actor=ctx.actor, instance=deal, action=AuditEntry.Action.STATUS_CHANGED,
            field="status", old=old_status, new=status, note="import",
        )  # fmt: skip
        deal.status, changed = status, True
    if changed:
        ctx.touched_deals.add(deal.pk)
    return changed


def _has_history(deal: Deal) -> bool:
    """Imported stage history decides where a deal is; a deal file does not move it back."""
    return bool(imported_history(deal.pk).exists())


# --- stage history ------------------------------------------------------------------------


def imported_history(deal_id: int) -> Any:
    """The deal's stage changes imported from a history file (placeholders aside).

    A history row is in when its deal has an imported change into its stage at its
    time: that, not an external id per row, is what makes a re-run create nothing
    (the deal's own external id already ties the row to its deal)."""
    return StageChange.objects.filter(deal_id=deal_id, reason=StageChange.Reason.IMPORTED).exclude(
        note=PLACEHOLDER
    )


def stage_history(ctx: Context, values: dict[str, Any]) -> Outcome:
    external = values["deal"]
    link = ctx.linked(ImportKind.DEAL, external)
    found = Deal.objects.visible_to(ctx.actor).filter(pk=link.record_id).first() if link else None
    if found is None:
        raise RowError("deal", f"No deal imported from '{ctx.source}' with the id '{external}'.")
    pipeline = _pipeline(ctx, values["pipeline"]) if values.get("pipeline") else found.pipeline
    stage = _stage(pipeline, values["stage"])
    if stage is None:
        raise RowError("stage", f"No stage '{values['stage']}' in the pipeline '{pipeline.name}'.")
    at = values["entered_at"]
    imported = imported_history(found.pk).filter(to_stage=stage, at=at).first()
    if imported is not None:
        return Outcome(UNCHANGED, imported.pk)
    change = StageChange.objects.create(
        deal=found,
        pipeline=pipeline,
        to_stage=stage,
        actor=ctx.actor,
        at=at,
        reason=StageChange.Reason.IMPORTED,
    )
    ctx.history_deals.add(found.pk)
    return Outcome(CREATED, change.pk)


def settle_history(ctx: Context) -> None:
    """Chain the imported history of the touched deals and put each deal in its latest stage."""
    for deal_id in sorted(ctx.history_deals):
        StageChange.objects.filter(
            deal_id=deal_id, reason=StageChange.Reason.IMPORTED, note=PLACEHOLDER
        ).delete()
        rows = list(StageChange.objects.filter(deal_id=deal_id).order_by("at", "id"))
        previous = None
        for row in rows:
            if row.reason == StageChange.Reason.IMPORTED and row.from_stage_id != previous:
                StageChange.objects.filter(pk=row.pk).update(from_stage_id=previous)
            previous = row.to_stage_id
        last = rows[-1]
        Deal.objects.filter(pk=deal_id).exclude(
            stage_id=last.to_stage_id, stage_entered_at=last.at
        ).update(
            stage_id=last.to_stage_id,
            pipeline_id=last.pipeline_id,
            stage_entered_at=last.at,
            version=F("version") + 1,
        )
        ctx.touched_deals.add(deal_id)
    ctx.history_deals.clear()


def finish_batch(ctx: Context) -> None:
    """What a batch owes the analytics before it commits: its deals' summaries."""
    settle_history(ctx)
    if ctx.touched_deals:
        analytics_summaries.refresh_deals(sorted(ctx.touched_deals))
        ctx.touched_deals.clear()
