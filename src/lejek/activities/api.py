"""JSON API for activities, "my day" and record timelines: thin handlers over services."""

from django.utils import timezone
from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.activities import schemas, selectors, services, timeline
from lejek.activities.models import Activity
from lejek.core.listing import Version, errors, paginate

router = Router(tags=["activities"])
timeline_router = Router(tags=["timeline"])


def _activity(request: AuthedRequest, activity_id: int) -> Activity:
    return access.visible_or_404(
        selectors.activity_queryset(request.user), user=request.user, pk=activity_id
    )


@router.get("", response={200: schemas.ActivityPage, **errors()})
def list_activities(request: AuthedRequest, filters: Query[schemas.ActivityFilters]):  # type: ignore[type-arg]
    qs = selectors.activity_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.ACTIVITY_SORTS, "-created_at")


@router.post("", response={201: schemas.ActivityOut, **errors(403)})
def create_activity(request: AuthedRequest, payload: schemas.ActivityIn):
    activity = services.activity_create(actor=request.user, data=payload.model_dump())
    return Status(201, _activity(request, activity.pk))


@router.get("/my-day", response={200: schemas.MyDayOut, **errors()})
def my_day(request: AuthedRequest, date: schemas.Day | None = None):
    return selectors.my_day(user=request.user, today=date or timezone.localdate())


@router.get("/{id:activity_id}", response={200: schemas.ActivityOut, **errors(404)})
def get_activity(request: AuthedRequest, activity_id: int):
    return _activity(request, activity_id)


@router.patch("/{id:activity_id}", response={200: schemas.ActivityOut, **errors(403, 404, 409)})
def update_activity(request: AuthedRequest, activity_id: int, payload: schemas.ActivityPatch):
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.activity_update(
        actor=request.user,
        activity=_activity(request, activity_id),
        data=data,
        version=payload.version,
    )
    return _activity(request, activity_id)


@router.delete("/{id:activity_id}", response={204: None, **errors(404, 409)})
def delete_activity(request: AuthedRequest, activity_id: int, version: Version):
    services.activity_delete(
        actor=request.user, activity=_activity(request, activity_id), version=version
    )
    return Status(204, None)


@router.post(
    "/{id:activity_id}/complete", response={200: schemas.CompleteOut, **errors(403, 404, 409)}
)
def complete_activity(request: AuthedRequest, activity_id: int, payload: schemas.CompleteIn):
    done, follow_up = services.activity_complete(
        actor=request.user,
        activity=_activity(request, activity_id),
        version=payload.version,
        outcome=payload.outcome,
        duration_minutes=payload.duration_minutes,
        done_at=payload.done_at,
        next_activity=payload.next.model_dump() if payload.next is not None else None,
    )
    return {
        "activity": _activity(request, done.pk),
        "next_activity": _activity(request, follow_up.pk) if follow_up is not None else None,
    }


@router.post("/{id:activity_id}/reopen", response={200: schemas.ActivityOut, **errors(404, 409)})
def reopen_activity(request: AuthedRequest, activity_id: int, payload: schemas.VersionIn):
    services.activity_reopen(
        actor=request.user, activity=_activity(request, activity_id), version=payload.version
    )
    return _activity(request, activity_id)


@timeline_router.get(
    "/deals/{id:deal_id}/timeline", response={200: schemas.TimelinePage, **errors(404)}
)
def deal_timeline(request: AuthedRequest, deal_id: int, page: Query[schemas.TimelineParams]):  # type: ignore[type-arg]
    return timeline.record_timeline(
        user=request.user, record_type="deal", pk=deal_id, limit=page.limit, offset=page.offset
    )


@timeline_router.get(
    "/leads/{id:lead_id}/timeline", response={200: schemas.TimelinePage, **errors(404)}
)
def lead_timeline(request: AuthedRequest, lead_id: int, page: Query[schemas.TimelineParams]):  # type: ignore[type-arg]
    return timeline.record_timeline(
        user=request.user, record_type="lead", pk=lead_id, limit=page.limit, offset=page.offset
    )


@timeline_router.get(
    "/people/{id:person_id}/timeline", response={200: schemas.TimelinePage, **errors(404)}
)
def person_timeline(request: AuthedRequest, person_id: int, page: Query[schemas.TimelineParams]):  # type: ignore[type-arg]
    return timeline.record_timeline(
        user=request.user,
        record_type="person",
        pk=person_id,
        limit=page.limit,
        offset=page.offset,
    )


@timeline_router.get(
    "/organizations/{id:organization_id}/timeline",
    response={200: schemas.TimelinePage, **errors(404)},
)
def organization_timeline(
    request: AuthedRequest,
    organization_id: int,
    page: Query[schemas.TimelineParams],  # type: ignore[type-arg]
):
    return timeline.record_timeline(
        user=request.user,
        record_type="organization",
        pk=organization_id,
        limit=page.limit,
        offset=page.offset,
    )
