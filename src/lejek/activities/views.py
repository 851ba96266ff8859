"""Pages for activities: the panel on every record page, "my day" and the activity list.

The panel answers `activities:record-panel` (kind, id) with its inner HTML, so any
record page can load it with htmx into a `<div id="record-panel">`; its forms swap
that same div. Every write goes through `activities.services`.
"""

import datetime
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.activities import forms, selectors, services, timeline
from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.core.errors import DomainError
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal
from lejek.web import lists
from lejek.web.http import add_errors, domain_errors, user_of
from lejek.web.lists import Column, ExportColumn
from lejek.web.timeline import describe

KINDS: dict[str, tuple[type[Model], str]] = {
    "deal": (Deal, "deal_id"),
    "lead": (Lead, "lead_id"),
    "person": (Person, "person_id"),
    "organization": (Organization, "organization_id"),
}
TIMELINE_PAGE = 20
OPEN_LIMIT = 20
QUICK_FORMS = {"call": forms.CallForm, "note": forms.NoteForm, "schedule": forms.ScheduleForm}


def _record(user: User, kind: str, pk: int) -> Any:
    if kind not in KINDS:
        raise Http404("No such kind of record.")
    return access.visible_or_404(KINDS[kind][0], user=user, pk=pk)


def timeline_context(user: User, kind: str, record: Any, offset: int = 0) -> dict[str, Any]:
    entries = timeline.SOURCES[kind][1](record)
    page = timeline.timeline_page(entries, limit=TIMELINE_PAGE, offset=offset)
    return {
        "items": describe(page["items"], user=user),
        "has_next": page["has_next"],
        "next_offset": offset + TIMELINE_PAGE,
        "kind": kind,
        "record": record,
    }


def panel_context(
    user: User,
    kind: str,
    record: Any,
    bound: dict[str, Any] | None = None,
    tab: str = "call",
) -> dict[str, Any]:
    """Everything the panel shows: open activities, quick-action forms, the newest history."""
    link = KINDS[kind][1]
    open_activities = (
        selectors.activity_queryset(user)
        .filter(**{link: record.pk}, done_at__isnull=True)
        .exclude(kind=Activity.Kind.NOTE)
        .order_by(F("due_at").asc(nulls_last=True), "id")[:OPEN_LIMIT]
    )
    quick = {name: form_class(auto_id=f"{name}_%s") for name, form_class in QUICK_FORMS.items()}
    quick.update(bound or {})
    return {
        "kind": kind,
        "record": record,
        "open": list(open_activities),
        "forms": quick,
        "tab": tab,
        "now": timezone.now(),
        "timeline": timeline_context(user, kind, record),
    }


@login_required
@domain_errors
def record_panel(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = user_of(request)
    record = _record(user, kind, pk)
    context = {"panel": panel_context(user, kind, record)}
    return render(request, "activities/panel.html", context)


@login_required
@domain_errors
def record_timeline(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The next page of a record's history ("load more")."""
    user = user_of(request)
    record = _record(user, kind, pk)
    raw = request.GET.get("offset", "0")
    offset = int(raw) if raw.isdigit() and len(raw) <= 7 else 0
    context = {"timeline": timeline_context(user, kind, record, offset)}
    return render(request, "activities/panel.html#timeline-items", context)


@login_required
@require_POST
@domain_errors
def record_add(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """Log a call, add a note or schedule an activity on a record; answers the fresh panel."""
    user = user_of(request)
    record = _record(user, kind, pk)
    form_class = QUICK_FORMS.get(action)
    if form_class is None:
        raise Http404("No such action.")
    form = form_class(request.POST, auto_id=f"{action}_%s")
    status = 422
    if form.is_valid():
        data = {**form.service_data(), KINDS[kind][1]: record.pk}
        try:
            services.activity_create(actor=user, data=data)
        except DomainError as exc:
            add_errors(form, exc)
            status = exc.status
        else:
            context = {"panel": panel_context(user, kind, record, tab=action), "saved": action}
            return render(request, "activities/panel.html", context)
    context = {"panel": panel_context(user, kind, record, bound={action: form}, tab=action)}
    return render(request, "activities/panel.html", context, status=status)


def _activity(user: User, pk: int) -> Activity:
    return access.visible_or_404(selectors.activity_queryset(user), user=user, pk=pk)


def _panel_target(request: HttpRequest, user: User) -> tuple[str, Any] | None:
    """The record whose panel asked for a completion, if it came from a panel."""
    kind, raw = request.POST.get("panel_kind", ""), request.POST.get("panel_id", "")
    if kind in KINDS and raw.isdigit() and len(raw) <= 18:
        return kind, _record(user, kind, int(raw))
    return None


@login_required
@domain_errors
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the completion form (with the next activity offered); POST: complete."""
    user = user_of(request)
    activity = _activity(user, pk)
    panel_kind = request.GET.get("panel_kind") or request.POST.get("panel_kind", "")
    panel_id = request.GET.get("panel_id") or request.POST.get("panel_id", "")
    context: dict[str, Any] = {
        "activity": activity,
        "panel_kind": panel_kind if panel_kind in KINDS else "",
        "panel_id": panel_id if panel_id.isdigit() else "",
        "now": timezone.now(),
    }
    if request.method != "POST":
        initial = {"next_kind": activity.kind, "next_subject": activity.subject}
        context["form"] = forms.CompleteForm(initial=initial, auto_id=f"complete{pk}_%s")
        return render(request, "activities/complete.html", context)
    form = forms.CompleteForm(request.POST, auto_id=f"complete{pk}_%s")
    version = request.POST.get("version", "")
    if not (version.isdigit() and len(version) <= 10):
        form.add_error(None, _("Reload the page: the record's version is missing."))
    status = 422
    if form.is_valid():
        try:
            done, follow_up = services.activity_complete(
                actor=user,
                activity=activity,
                version=int(version),
                outcome=form.cleaned_data["outcome"] or None,
                next_activity=form.next_activity(),
            )
        except DomainError as exc:
            add_errors(form, exc, {"next.due_at": "next_due_at", "next.kind": "next_kind"})
            status = exc.status
        else:
            target = _panel_target(request, user)
            if target is not None:
                panel = panel_context(user, target[0], target[1])
                return render(request, "activities/panel.html", {"panel": panel})
            context.update(activity=done, follow_up=follow_up)
            return render(request, "activities/day_row.html#done", context)
    context["form"] = form
    return render(request, "activities/complete.html", context, status=status)


@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    context = {
        "day": selectors.my_day(user=user, today=today),
        "task_form": forms.TaskForm(),
        "now": timezone.now(),
    }
    return render(request, "activities/my_day.html", context)


@login_required
@require_POST
@domain_errors
def task_add(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = forms.TaskForm(request.POST)
    if form.is_valid():
        try:
            services.activity_create(actor=user, data=form.service_data())
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Task added."))
            return HttpResponseRedirect(reverse("activities:my-day"), status=303)
    context = {
        "day": selectors.my_day(user=user, today=timezone.localdate()),
        "task_form": form,
        "now": timezone.now(),
    }
    return render(request, "activities/my_day.html", context, status=422)


def _activities(user: User, data: dict[str, Any]) -> Any:
    state = data.get("state")
    due_from, due_to = data.get("due_from"), data.get("due_to")
    owner = data.get("owner")
    filters = SimpleNamespace(
        kind=data.get("kind") or None,
        owner_id=owner.pk if owner is not None else None,
        deal_id=None,
        lead_id=None,
        person_id=None,
        organization_id=None,
        done={"open": False, "done": True}.get(state or ""),
        due_from=selectors.day_bounds(due_from)[0] if due_from else None,
        due_to=selectors.day_bounds(due_to)[1] if due_to else None,
        q=data.get("q") or None,
    )
    return selectors.activity_list(user=user, filters=filters)


def _linked(activity: Activity) -> str:
    for name in ("deal", "lead", "person", "organization"):
        record = getattr(activity, name)
        if record is not None:
            return str(record)
    return ""


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


ACTIVITY_LIST = lists.ListSpec(
    name="activities",
    title=gettext_lazy("Activities"),
    template="activities/activity_list.html",
    filter_form=forms.ActivityFilterForm,
    queryset=_activities,
    sorts=selectors.ACTIVITY_SORTS,
    default_sort="-created_at",
    columns=(
        Column(gettext_lazy("Type")),
        Column(gettext_lazy("Subject")),
        Column(gettext_lazy("Record")),
        Column(gettext_lazy("Due"), "due_at", "text-end"),
        Column(gettext_lazy("Done"), "done_at", "text-end"),
        Column(gettext_lazy("Owner")),
        Column(gettext_lazy("Created"), "created_at", "text-end"),
    ),
    export=(
        ExportColumn("ID", lambda a: a.pk),
        ExportColumn(gettext_lazy("Type"), lambda a: a.kind),
        ExportColumn(gettext_lazy("Subject"), lambda a: a.subject),
        ExportColumn(gettext_lazy("Record"), _linked),
        ExportColumn(gettext_lazy("Due"), lambda a: _local(a.due_at)),
        ExportColumn(gettext_lazy("Done"), lambda a: _local(a.done_at)),
        ExportColumn(gettext_lazy("Outcome"), lambda a: a.outcome),
        ExportColumn(gettext_lazy("Owner"), lambda a: a.owner.display_name),
        ExportColumn(gettext_lazy("Created"), lambda a: _local(a.created_at)),
    ),
    bulk=(lists.assign_owner(services.activity_update, "activity"), lists.add_tag()),
)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    return lists.list_view(request, ACTIVITY_LIST)
