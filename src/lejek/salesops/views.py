"""Pages of sales operations: scorecards and quadrants, quotas, statements, the pipeline
audit and the goal planner. Thin: they parse input, call selectors and services, render."""

import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import plotly
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lejek.accounts.models import User
from lejek.analytics.filters import parse_month, period_from, this_month
from lejek.core.errors import DomainError, ValidationFailed
from lejek.salesops import (
    audits,
    calc,
    charts,
    planner,
    present,
    quotas,
    reviews,
    scorecard,
    selectors,
    statement_pdf,
    statements,
)
from lejek.web.http import domain_errors, error_message, is_htmx, user_of

MAX_UPLOAD = 2_000_000


def _period(request: HttpRequest) -> tuple[Any, str | None]:
    try:
        return period_from(request.GET.get("start") or None, request.GET.get("end") or None), None
    except ValidationFailed as exc:
        return period_from(None, None), error_message(exc)


def _team_id(request: HttpRequest) -> int | None:
    value = request.GET.get("team") or request.POST.get("team") or ""
    return int(value) if value.isdigit() else None


def _common(request: HttpRequest) -> dict[str, Any]:
    user = user_of(request)
    return {
        "teams": selectors.visible_teams(user),
        "team_id": _team_id(request),
        "plotly_version": plotly.__version__,
        "can_manage": user.is_admin or user.is_manager,
    }


# --- scorecards ------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def scorecard_page(request: HttpRequest) -> HttpResponse:
    period, problem = _period(request)
    board = scorecard.team_scorecard(user_of(request), period, _team_id(request))
    context = {
        **_common(request),
        "board": board,
        "problem": problem,
        "metrics": scorecard.METRICS,
        "figure": charts.quadrant_chart(board),
        "quadrant_labels": calc.QUADRANT_LABELS,
        "quadrant_rule": present.QUADRANT_RULE,
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
    }
    return render(request, "salesops/scorecard.html", context, status=422 if problem else 200)


@login_required
@require_GET
@domain_errors
def rep_page(request: HttpRequest, rep_id: int) -> HttpResponse:
    period, problem = _period(request)
    card = scorecard.rep_scorecard(user_of(request), rep_id, period)
    if card is None:
        raise Http404
    rows = [
        {
            "key": key,
            "label": label,
            "higher_better": better,
            "now": card["row"]["now"].get(key),
            "before": card["row"]["before"].get(key),
            "median": card["medians"].get(key),
            "vs_median": card["row"]["vs_median"].get(key),
            "vs_previous": card["row"]["vs_previous"].get(key),
        }
        for key, label, better in scorecard.METRICS
    ]
    context = {
        **_common(request),
        "card": card,
        "row": card["row"],
        "rows": rows,
        "problem": problem,
        "quadrant_labels": calc.QUADRANT_LABELS,
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
    }
    return render(request, "salesops/rep.html", context)


# --- quotas ----------------------------------------------------------------------------------


@login_required
@domain_errors
def quotas_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    status = 200
    if request.method == "POST":
        try:
            _create_quota(user, request.POST)
        except DomainError as exc:
            messages.error(request, error_message(exc))
            status = 422
        else:
            messages.success(request, _("The quota was saved."))
            return redirect(f"{reverse('salesops:quotas')}?{request.GET.urlencode()}")
    period, problem = _period(request)
    context = {
        **_common(request),
        "quotas": selectors.quotas_visible_to(user)[:500],
        "attainment": selectors.attainment(user, period, _team_id(request)),
        "users": selectors.visible_users(user).order_by("first_name", "username"),
        "problem": problem,
        "start": request.GET.get("start", ""),
        "end": request.GET.get("end", ""),
    }
    return render(request, "salesops/quotas.html", context, status=status)


def _create_quota(user: User, data: Any) -> None:
    who = data.get("who", "")
    target_user = target_team = None
    if who.startswith("u") and who[1:].isdigit():
        target_user = selectors.visible_users(user).filter(pk=int(who[1:])).first()
    elif who.startswith("t") and who[1:].isdigit():
        target_team = selectors.visible_teams(user).filter(pk=int(who[1:])).first()
    if target_user is None and target_team is None:
        raise ValidationFailed.field("who", _("Choose a rep or a team."))
    kind, start = quotas.parse_period(data.get("period", ""))
    quotas.quota_create(
        actor=user,
        user=target_user,
        team=target_team,
        kind=kind,
        period_start=start,
        amount=data.get("amount", ""),
    )


@login_required
@require_POST
@domain_errors
def quotas_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("Choose a CSV file of at most 2 MB."))
        return redirect("salesops:quotas")
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file must be UTF-8 text (CSV)."))
        return redirect("salesops:quotas")
    try:
        result = quotas.quotas_import(actor=user_of(request), text=text)
    except DomainError as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % result,
        )
    return redirect("salesops:quotas")


@login_required
@require_POST
@domain_errors
def quota_delete(request: HttpRequest, quota_id: int) -> HttpResponse:
    quota = selectors.quotas_visible_to(user_of(request)).filter(pk=quota_id).first()
    if quota is None:
        raise Http404
    quotas.quota_delete(actor=user_of(request), quota=quota)
    messages.success(request, _("The quota was deleted."))
    return redirect("salesops:quotas")


# --- statements ------------------------------------------------------------------------------


def _month(request: HttpRequest) -> datetime.date:
    value = request.GET.get("month") or request.POST.get("month") or ""
    if not value:
        return this_month()
    return parse_month(value, "month")


@login_required
@domain_errors
def statements_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    month = _month(request)
    if request.method == "POST":
        try:
            found = statements.statements_compute(
                actor=user, month=month, team_id=_team_id(request)
            )
        except DomainError as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("%(count)s statements computed.") % {"count": len(found)})
        return redirect(f"{reverse('salesops:statements')}?month={month:%Y-%m}")
    listed = selectors.statements_visible_to(user).filter(month=month).order_by("rep__username")
    context = {**_common(request), "statements": listed, "month": month}
    return render(request, "salesops/statements.html", context)


@login_required
@require_GET
@domain_errors
def statement_page(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = selectors.statement_or_404(user_of(request), statement_id)
    user = user_of(request)
    shown = statements.statement_lines(statement)
    may_approve = (
        not statement.is_frozen
        and not shown.stale
        and (
            user.is_admin
            or (
                user.is_manager
                and statement.rep.team_id == user.team_id
                and statement.rep_id != user.pk
            )
        )
    )
    context = {
        "statement": statement,
        "lines": shown.lines,
        "stale": shown.stale,
        "terms": statement.terms,
        "may_approve": may_approve,
    }
    return render(request, "salesops/statement.html", context)


@login_required
@require_POST
@domain_errors
def statement_approve(request: HttpRequest, statement_id: int) -> HttpResponse:
    user = user_of(request)
    statement = selectors.statement_or_404(user, statement_id)
    version = request.POST.get("version", "")
    statements.statement_approve(
        actor=user, statement=statement, version=int(version) if version.isdigit() else 0
    )
    messages.success(request, _("The statement was approved and is now frozen."))
    return redirect("salesops:statement", statement_id=statement.pk)


@login_required
@require_GET
def statement_export(request: HttpRequest, statement_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in statement_pdf.FORMATS:
        raise Http404
    try:
        statement = selectors.statement_or_404(user_of(request), statement_id)
    except DomainError:
        raise Http404 from None
    return statement_pdf.export_response(statement, fmt)


# --- pipeline audit --------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def audit_page(request: HttpRequest) -> HttpResponse:
    flag = request.GET.get("flag") or None
    if flag not in (None, *audits.FLAGS):
        flag = None
    queue = audits.queue(
        user_of(request),
        team_id=_team_id(request),
        flag=flag,
        pending_only=request.GET.get("pending") == "1",
    )
    context = {
        **_common(request),
        "queue": queue,
        "flag": flag,
        "flag_labels": audits.FLAG_LABELS,
        "progress": round(queue.progress * 100),
    }
    return render(request, "salesops/audit.html", context)


@login_required
@require_POST
@domain_errors
def review(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = user_of(request)
    deal = audits.deal_for_review(user, deal_id)
    answer = request.POST.get("still_qualified")
    if answer not in ("yes", "no"):
        raise ValidationFailed.field(
            "still_qualified", _("Say whether the deal is still qualified.")
        )
    found = reviews.review_record(
        actor=user,
        deal=deal,
        still_qualified=answer == "yes",
        next_action=request.POST.get("next_action", ""),
        note=request.POST.get("note", ""),
    )
    if is_htmx(request):
        item = {"deal": deal, "review": found, "flags": request.POST.getlist("flags")}
        return render(request, "salesops/audit.html#review-cell", {"item": item})
    messages.success(request, _("The review was recorded."))
    return redirect("salesops:audit")


# --- goal planner ----------------------------------------------------------------------------


def _fraction(value: str | None, field: str, *, rate: bool = False) -> Fraction | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".").strip())
    except InvalidOperation:
        raise ValidationFailed.field(field, _("Give a number.")) from None
    if not number.is_finite() or number <= 0 or (rate and number > 100):
        raise ValidationFailed.field(field, _("Give a number above zero."))
    # Rates are typed as percentages on the page.
    return Fraction(number) / 100 if rate else Fraction(number)


@login_required
@require_GET
def planner_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    measured = planner.measured(user, _team_id(request))
    context: dict[str, Any] = {**_common(request), "measured": measured, "values": request.GET}
    try:
        target = _fraction(request.GET.get("target"), "target")
        weeks_text = request.GET.get("weeks") or "13"
        weeks = int(weeks_text) if weeks_text.isdigit() and 0 < int(weeks_text) <= 104 else None
        if weeks is None:
            raise ValidationFailed.field("weeks", _("Weeks: a whole number from 1 to 104."))
        reps_text = request.GET.get("reps") or ""
        reps = int(reps_text) if reps_text.isdigit() and int(reps_text) > 0 else measured["reps"]
        rates = {
            name: _fraction(request.GET.get(name), name, rate=True) or measured["rates"][name]
            for name in planner.RATE_NAMES
        }
        deal_size = _fraction(request.GET.get("deal_size"), "deal_size") or measured["deal_size"]
        if target is not None:
            context["plan"] = planner.plan(
                target=target,
                weeks=weeks,
                reps=reps,
                deal_size=deal_size,
                rates=rates,
                cycle_days=measured["cycle_days"],
            )
    except ValidationFailed as exc:
        context["problem"] = error_message(exc)
    context["rate_fields"] = [
        (name, name.replace("_", " ").capitalize(), measured["rates"][name])
        for name in planner.RATE_NAMES
    ]
    status = 422 if context.get("problem") else 200
    return render(request, "salesops/planner.html", context, status=status)
