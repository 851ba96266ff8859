"""The board: one column per stage, cards in pages, moving a deal by drag and drop or menu.

Also the helpers every pipelines page shares: who may be picked as owner, how a
DomainError becomes a page, a JSON body or an htmx fragment with its 4xx status.
"""

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from lejek.accounts import access
from lejek.accounts.models import Team, User
from lejek.automation import gates
from lejek.contacts import selectors as contact_selectors
from lejek.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from lejek.pipelines import forms, selectors, services
from lejek.pipelines.models import Deal, Pipeline, Stage

# Cards drawn per column at first and per "load more": a screen shows far fewer.
CARDS_PER_PAGE = 25
LAST_PIPELINE = "pipelines.board"


# --- shared helpers ------------------------------------------------------------------------


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is login_required


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def owner_options(user: User) -> list[User]:
    """Whom `user` may pick as owner (and filter by): everyone for admins, the team for managers."""
    if user.is_admin:
        return list(User.objects.filter(is_active=True).order_by("first_name", "username"))
    if user.is_manager and user.team_id:
        members = User.objects.filter(is_active=True, team_id=user.team_id)
        return list(members.order_by("first_name", "username"))
    return [user]


def team_options(user: User) -> list[Team]:
    return list(Team.objects.all()) if user.is_admin else []


def error_message(exc: DomainError) -> str:
    """The message a person reads: ours in their language where we know the case."""
    if exc.code == "gate_blocked":
        titles = "; ".join(str(item.get("title", "")) for item in exc.extra.get("missing", []))
        return _("This stage is not complete yet. Still to do: %(items)s.") % {"items": titles}
    if isinstance(exc, VersionConflict):
        return _("This deal was changed by someone else. Reload the page and try again.")
    if isinstance(exc, NotFound):
        return _("This record was not found, or you may not see it.")
    if isinstance(exc, Forbidden):
        return _("You are not allowed to do that.") + " " + exc.message
    if isinstance(exc, ValidationFailed) and exc.fields:
        return " ".join(m for messages_ in exc.fields.values() for m in messages_)
    return exc.message


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    context = {"status": exc.status, "message": error_message(exc)}
    return render(request, "pipelines/error.html", context, status=exc.status)


def alert(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """An htmx fragment (a dismissible alert) with the error's own status code."""
    context = {"message": error_message(exc), "conflict": isinstance(exc, VersionConflict)}
    return render(request, "pipelines/alert.html", context, status=exc.status)


def active_pipeline_or_error(pipeline_id: int) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pipeline_id, is_active=True).first()
    if pipeline is None:
        raise NotFound(f"Pipeline {pipeline_id} was not found.")
    return pipeline


def card_labels() -> dict[str, str]:
    """The words every card repeats, translated once per page instead of once per card."""
    return {
        "move_to": _("Move to…"),
        "no_amount": _("no amount"),
        "owner": _("Owner"),
        "next_activity": _("Next activity"),
        "no_next": _("No next step"),
        "no_next_title": _("No next activity is scheduled for this open deal."),
        "stale": _("Stale"),
    }


def decorate(cards: Iterable[Deal], stages: dict[int, Stage], now: datetime.datetime) -> list[Deal]:
    """What a card shows beyond the row: its stage (no query), staleness, days in stage, link.

    Computed here rather than in the template: a board draws hundreds of cards, and plain
    attributes render several times faster than template tags.
    """
    detail = reverse("pipelines:deal-detail", args=[0]).removesuffix("0/")
    result = []
    for card in cards:
        stage = card.stage = stages[card.stage_id]
        days = max(0, (now - card.stage_entered_at).days)
        extra: dict[str, Any] = {
            "url": f"{detail}{card.pk}/",
            "is_stale": selectors.is_stale(card, now) if stage.rotting_days else False,
            "days_in_stage": days,
            "days_short": _("%(days)s d") % {"days": days},
            "days_title": ngettext(
                "%(days)s day in this stage", "%(days)s days in this stage", days
            )
            % {"days": days},
            "next_overdue": bool(card.next_activity_at and card.next_activity_at < now),
        }
        if stage.rotting_days:
            extra["stale_title"] = ngettext(
                "Stale: idle longer than %(days)s day in this stage.",
                "Stale: idle longer than %(days)s days in this stage.",
                stage.rotting_days,
            ) % {"days": stage.rotting_days}
        card.__dict__.update(extra)
        result.append(card)
    return result


def _filter_form(request: HttpRequest, user: User) -> forms.BoardFilterForm:
    owners = owner_options(user)
    return forms.BoardFilterForm(
        request.GET,
        owners=owners if len(owners) > 1 else [],
        teams=team_options(user),
    )


def _filter_query(request: HttpRequest) -> str:
    keep = request.GET.copy()
    keep.pop("offset", None)
    return keep.urlencode()


# --- the board -----------------------------------------------------------------------------


@login_required
@require_GET
def board_default(request: HttpRequest) -> HttpResponse:
    """The board the user looked at last, else the first active pipeline."""
    ids = list(Pipeline.objects.filter(is_active=True).values_list("pk", flat=True))
    if not ids:
        return render(request, "pipelines/no_pipelines.html")
    last = request.session.get(LAST_PIPELINE)
    return redirect("pipelines:board", last if last in ids else ids[0])


@login_required
@require_GET
def board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    user = user_of(request)
    try:
        pipeline = active_pipeline_or_error(pipeline_id)
    except DomainError as exc:
        return error_page(request, exc)
    if request.session.get(LAST_PIPELINE) != pipeline.pk:
        request.session[LAST_PIPELINE] = pipeline.pk
    form = _filter_form(request, user)
    filters = form.values(pipeline_id=pipeline.pk, today=selectors.today())
    columns = selectors.board_columns(user=user, pipeline=pipeline, filters=filters)
    stages = {c["stage"].pk: c["stage"] for c in columns}
    cards = selectors.board_cards(
        user=user,
        pipeline=pipeline,
        stages=list(stages.values()),
        filters=filters,
        per_column=CARDS_PER_PAGE,
    )
    now = timezone.now()
    for column in columns:
        page = cards.get(column["stage"].pk, [])
        column["cards"] = decorate(page[:CARDS_PER_PAGE], stages, now)
        column["next_offset"] = CARDS_PER_PAGE if len(page) > CARDS_PER_PAGE else None
    context = {
        "pipeline": pipeline,
        "pipelines": list(Pipeline.objects.filter(is_active=True)),
        "columns": columns,
        "stages": list(stages.values()),
        "form": form,
        "filter_query": _filter_query(request),
        "summary": _summary(columns),
        "t": card_labels(),
    }
    return render(request, "pipelines/board.html", context)


def _summary(columns: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole board's count and totals per currency (the columns already hold them)."""
    totals: dict[str, dict[str, Any]] = {}
    for column in columns:
        for total in column["totals"]:
            entry = totals.setdefault(
                total["currency"], {"currency": total["currency"], "amount": 0, "weighted": 0}
            )
            entry["amount"] += total["amount"]
            entry["weighted"] += total["weighted"]
    return {
        "count": sum(c["count"] for c in columns),
        "totals": [totals[k] for k in sorted(totals)],
    }


@login_required
@require_GET
def board_cards(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next page of one column's cards, for the column's "load more" button."""
    user = user_of(request)
    try:
        pipeline = active_pipeline_or_error(pipeline_id)
        stage = pipeline.stages.active().filter(pk=stage_id).first()
        if stage is None:
            raise NotFound(f"Stage {stage_id} was not found.")
    except DomainError as exc:
        return alert(request, exc)
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 1_000_000))
    except ValueError:
        offset = 0
    filters = _filter_form(request, user).values(pipeline_id=pipeline.pk, today=selectors.today())
    page = selectors.column_cards(
        user=user,
        pipeline=pipeline,
        stage=stage,
        filters=filters,
        offset=offset,
        limit=CARDS_PER_PAGE,
    )
    stages = list(pipeline.stages.active().order_by("order", "pk"))
    context = {
        "pipeline": pipeline,
        "stage": stage,
        "stages": stages,
        "cards": decorate(page[:CARDS_PER_PAGE], {s.pk: s for s in stages}, timezone.now()),
        "next_offset": offset + CARDS_PER_PAGE if len(page) > CARDS_PER_PAGE else None,
        "filter_query": _filter_query(request),
        "t": card_labels(),
    }
    return render(request, "pipelines/board.html#cards-page", context)


# --- moving a deal -------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to a stage: JSON for the board's script, a refresh for htmx, else a redirect."""
    user = user_of(request)
    try:
        deal = access.visible_or_404(selectors.deal_detail_queryset(), user=user, pk=deal_id)
        form = forms.MoveForm(request.POST)
        if not form.is_valid():
            raise ValidationFailed(
                _("Choose a stage and send the deal's version."),
                fields={k: [str(m) for m in v] for k, v in form.errors.items()},
            )
        stage = (
            Stage.objects.select_related("pipeline")
            .filter(pk=form.cleaned_data["stage_id"])
            .first()
        )
        if stage is None:
            raise NotFound(f"Stage {form.cleaned_data['stage_id']} was not found.")
        if deal.status != Deal.Status.OPEN:
            raise Conflict(_("This deal is closed. Reopen it before moving it."))
        deal = services.deal_move_to_stage(
            actor=user,
            deal=deal,
            stage=stage,
            version=form.cleaned_data["version"],
            override_reason=form.cleaned_data["override_reason"].strip(),
        )
    except DomainError as exc:
        may_override = exc.code == "gate_blocked" and gates.may_override(user, deal)
        if _wants_json(request):
            body = {"ok": False, "message": error_message(exc), "code": exc.code}
            return JsonResponse({**body, "can_override": may_override}, status=exc.status)
        if is_htmx(request):
            if may_override:
                context = {"message": error_message(exc), "deal": deal, "stage": stage}
                return render(request, "pipelines/gate.html", context, status=exc.status)
            return alert(request, exc)
        messages.error(request, error_message(exc))
        return redirect("pipelines:deal-detail", deal_id)
    if _wants_json(request):
        return JsonResponse(_board_update(request, user, deal))
    messages.success(request, _("Moved to %(stage)s.") % {"stage": deal.stage.name})
    if is_htmx(request):
        return HttpResponseClientRefresh()
    return redirect("pipelines:deal-detail", deal.pk)


def _board_update(request: HttpRequest, user: User, deal: Deal) -> dict[str, Any]:
    """The moved card and every column head, recomputed with the board's filters."""
    pipeline = deal.pipeline
    filters = _filter_form(request, user).values(pipeline_id=pipeline.pk, today=selectors.today())
    columns = selectors.board_columns(user=user, pipeline=pipeline, filters=filters)
    stages = [c["stage"] for c in columns]
    card = decorate([deal], {s.pk: s for s in stages}, timezone.now())[0]
    heads = {
        str(column["stage"].pk): render_to_string(
            "pipelines/board.html#column-head",
            {"column": column, "pipeline": pipeline, "filter_query": _filter_query(request)},
            request=request,
        )
        for column in columns
    }
    return {
        "ok": True,
        "deal": {"id": deal.pk, "version": deal.version, "stage_id": deal.stage_id},
        "message": _("Moved to %(stage)s.") % {"stage": deal.stage.name},
        "card": render_to_string(
            "pipelines/board.html#card",
            {"card": card, "t": card_labels()},
            request=request,
        ),
        "columns": heads,
        "summary": render_to_string(
            "pipelines/board.html#summary", {"summary": _summary(columns)}, request=request
        ),
    }


# --- pickers -------------------------------------------------------------------------------


class _ContactFilters:
    """The filter attributes the contacts selectors read: a search and nothing else."""

    def __init__(self, q: str) -> None:
        self.q = q or None
        self.owner_id = None
        self.organization_id = None
        self.is_customer = None
        self.industry = None
        self.country = None


def _first(qs: Any, key: Any, limit: int = 20) -> list[Any]:
    # Newest first by primary key: the scan stops at `limit` matches instead of sorting them all.
    return sorted(qs.order_by("-pk")[:limit], key=key)


def _query(request: HttpRequest) -> str:
    return (request.GET.get("q") or "").replace("\x00", "").strip()[:200]


@login_required
@require_GET
def lookup_organizations(request: HttpRequest) -> HttpResponse:
    """Options for an organization select: the first matches the user can see."""
    q = _query(request)
    found = []
    if q:
        qs = contact_selectors.organization_list(user=user_of(request), filters=_ContactFilters(q))
        found = _first(qs, key=lambda o: o.name.casefold())
    return render(request, "pipelines/lookups.html#organizations", {"found": found, "q": q})


@login_required
@require_GET
def lookup_people(request: HttpRequest) -> HttpResponse:
    """Checkboxes for people the user can see whose name or email matches."""
    q = _query(request)
    found = []
    if q:
        qs = contact_selectors.person_list(user=user_of(request), filters=_ContactFilters(q))
        found = _first(qs, key=lambda p: p.full_name.casefold())
    return render(request, "pipelines/lookups.html#people", {"found": found, "q": q})
