"""JSON API of lead scoring: engagement events in (with a token or the signed webhook),
scoring rules and thresholds, a lead's score explained, rescoring."""

import json
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import ValidationError
from pydantic import ValidationError as PydanticError

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.core.listing import errors, paginate
from lejek.leads.models import Lead
from lejek.scoring import schemas, selectors, services, webhook
from lejek.scoring.ingest import IngestResult

router = Router(tags=["scoring"])


def _event_values(event: schemas.EngagementEventIn) -> dict[str, Any]:
    return {
        "external_id": event.event_id,
        "type": str(event.type.value),
        "lead_id": event.lead_id,
        "email": event.email,
        "occurred_at": event.occurred_at,
        "url": event.url,
        "source": event.source,
        "data": event.data,
    }


def _ingest_out(batch: schemas.EngagementBatchIn, result: IngestResult) -> dict[str, Any]:
    created = {row.external_id: row for row in result.created}
    items = []
    for event in batch.events:
        row = created.pop(event.event_id, None)
        items.append(
            {
                "event_id": event.event_id,
                "status": "created" if row is not None else "duplicate",
                "id": row.pk if row is not None else None,
                "lead_id": row.lead_id if row is not None else event.lead_id,
                "points": result.points.get(event.event_id, 0) if row is not None else 0,
            }
        )
    return {
        "created": len(result.created),
        "duplicates": len(items) - len(result.created),
        "items": items,
        "scores": [{"lead_id": k, "score": v} for k, v in sorted(result.scores.items())],
    }


@router.post("/engagement-events", response={200: schemas.IngestOut, **errors()})
def record_events(request: AuthedRequest, payload: schemas.EngagementBatchIn):
    """Record engagement events (one, or up to 1000 as {"events": [...]}) and score them.
    An `event_id` already received is skipped, so a batch may be sent again safely."""
    events = [_event_values(e) for e in payload.events]
    result = services.events_record(actor=request.user, events=events, source="api")
    return _ingest_out(payload, result)


@router.post(
    "/engagement-events/webhook",
    auth=None,
    response={200: schemas.IngestOut, **errors(403)},
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": schemas.EngagementBatchIn.model_json_schema()}
            },
            "required": True,
        }
    },
)
def webhook_events(request: HttpRequest):
    """The same as POST /engagement-events for systems without a token: the body is signed.
    Send `X-Lejek-Timestamp` (Unix seconds) and `X-Lejek-Signature: sha256=<hex>`, the
    HMAC-SHA256 of `<timestamp>.<body>` with the shared secret; 401 when it does not match
    or is older than the tolerance (5 minutes by default)."""
    webhook.verify(
        request.body,
        request.headers.get(webhook.TIMESTAMP_HEADER),
        request.headers.get(webhook.SIGNATURE_HEADER),
    )
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError([{"loc": ["body"], "msg": "The body is not valid JSON."}]) from None
    if not isinstance(data, dict):
        raise ValidationError([{"loc": ["body"], "msg": "The body must be a JSON object."}])
    try:
        payload = schemas.EngagementBatchIn.model_validate(data)
    except PydanticError as exc:
        raise ValidationError(
            [dict(e) for e in exc.errors(include_url=False, include_context=False)]
        ) from exc
    events = [_event_values(e) for e in payload.events]
    result = services.events_record(actor=None, events=events, source="webhook")
    return _ingest_out(payload, result)


@router.get("/engagement-events", response={200: schemas.EngagementEventPage, **errors()})
def list_events(request: AuthedRequest, filters: Query[schemas.EngagementFilters]):
    qs = selectors.event_list(
        user=request.user,
        lead_id=filters.lead_id,
        type=filters.type.value if filters.type else None,
    )
    return paginate(qs, filters, selectors.EVENT_SORTS, "-occurred_at")


# --- rules --------------------------------------------------------------------------------


@router.get("/scoring/rules", response={200: list[schemas.RuleOut], **errors(403)})
def list_rules(request: AuthedRequest):
    selectors.require_staff(request.user)
    return selectors.rule_list()


@router.post("/scoring/rules", response={201: schemas.RuleOut, **errors(403)})
def create_rule(request: AuthedRequest, payload: schemas.RuleIn):
    """Create a rule; every lead's points from it are worked out in the background."""
    rule = services.rule_create(actor=request.user, data=payload.model_dump(mode="json"))
    return Status(201, rule)


@router.post("/scoring/rules/examples", response={200: list[schemas.RuleOut], **errors(403)})
def add_example_rules(request: AuthedRequest):
    """Add the seed-002 example rules that are missing; returns those added."""
    access.require_admin(request.user, "change scoring rules")
    return services.rules_ensure_defaults(actor=request.user)


@router.get("/scoring/rules/{id:rule_id}", response={200: schemas.RuleOut, **errors(403, 404)})
def get_rule(request: AuthedRequest, rule_id: int):
    selectors.require_staff(request.user)
    return selectors.rule_get(rule_id)


@router.patch(
    "/scoring/rules/{id:rule_id}", response={200: schemas.RuleOut, **errors(403, 404, 409)}
)
def update_rule(request: AuthedRequest, rule_id: int, payload: schemas.RulePatch):
    """Change a rule at the version you read; leads are scored again in the background."""
    access.require_admin(request.user, "change scoring rules")
    data = payload.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    rule = selectors.rule_get(rule_id)
    return services.rule_update(actor=request.user, rule=rule, data=data, version=payload.version)


@router.delete("/scoring/rules/{id:rule_id}", response={204: None, **errors(403, 404)})
def delete_rule(request: AuthedRequest, rule_id: int):
    """Delete a rule: the points it gave are taken back in the background."""
    access.require_admin(request.user, "delete scoring rules")
    services.rule_delete(actor=request.user, rule=selectors.rule_get(rule_id))
    return Status(204, None)


@router.post("/scoring/rescore", response={202: schemas.RescoreOut, **errors(403)})
def rescore(request: AuthedRequest):
    """Queue scoring every lead again under the current rules."""
    services.rescore_all(actor=request.user)
    return Status(202, {"detail": "Every lead will be scored again in the background."})


# --- thresholds ---------------------------------------------------------------------------


@router.get("/scoring/thresholds", response={200: list[schemas.ThresholdOut], **errors(403)})
def list_thresholds(request: AuthedRequest):
    selectors.require_staff(request.user)
    return selectors.threshold_list()


@router.post("/scoring/thresholds", response={201: schemas.ThresholdOut, **errors(403)})
def create_threshold(request: AuthedRequest, payload: schemas.ThresholdIn):
    data = payload.model_dump(mode="json")
    return Status(201, services.threshold_create(actor=request.user, data=data))


@router.get(
    "/scoring/thresholds/{id:threshold_id}",
    response={200: schemas.ThresholdOut, **errors(403, 404)},
)
def get_threshold(request: AuthedRequest, threshold_id: int):
    selectors.require_staff(request.user)
    return selectors.threshold_get(threshold_id)


@router.patch(
    "/scoring/thresholds/{id:threshold_id}",
    response={200: schemas.ThresholdOut, **errors(403, 404, 409)},
)
def update_threshold(request: AuthedRequest, threshold_id: int, payload: schemas.ThresholdPatch):
    access.require_admin(request.user, "change score thresholds")
    data = payload.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    threshold = selectors.threshold_get(threshold_id)
    return services.threshold_update(
        actor=request.user, threshold=threshold, data=data, version=payload.version
    )


@router.delete("/scoring/thresholds/{id:threshold_id}", response={204: None, **errors(403, 404)})
def delete_threshold(request: AuthedRequest, threshold_id: int):
    access.require_admin(request.user, "delete score thresholds")
    services.threshold_delete(actor=request.user, threshold=selectors.threshold_get(threshold_id))
    return Status(204, None)


# --- a lead's score -----------------------------------------------------------------------


@router.get(
    "/scoring/leads/{id:lead_id}", response={200: schemas.LeadScoreDetailOut, **errors(404)}
)
def lead_score(request: AuthedRequest, lead_id: int):
    """A lead's score explained: each rule's points, the latest ledger rows, the thresholds
    it crossed."""
    lead = access.visible_or_404(Lead, user=request.user, pk=lead_id)
    data = selectors.lead_explanation(lead, entries=50)
    return {
        "lead_id": lead.pk,
        "score": data["score"],
        "ledger_total": data["ledger_total"],
        "lines": data["lines"],
        "entries": [
            {
                "id": e.pk,
                "rule_id": e.rule_id,
                "rule": e.rule.name,
                "reason": e.reason,
                "points": e.points,
                "event_id": e.event_id,
                "event_type": e.event.type if e.event else None,
                "at": e.at,
            }
            for e in data["entries"]
        ],
        "crossings": [
            {
                "threshold_id": c.threshold_id,
                "threshold": c.threshold.name,
                "score_before": c.score_before,
                "score_after": c.score_after,
                "at": c.at,
                "result": c.result,
            }
            for c in data["crossings"]
        ],
    }
