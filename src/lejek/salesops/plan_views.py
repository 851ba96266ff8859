"""Pages of commission plans: the list with a form for a new plan, and one plan's page to
change its terms and put reps on it. Everyone may look (at the reps they may see);
only administrators change anything, as the services in `plans` insist."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lejek.accounts.access import require_admin
from lejek.accounts.models import User
from lejek.core.errors import NotFound, ValidationFailed, VersionConflict
from lejek.salesops import plan_forms, plans, selectors
from lejek.salesops.models import CommissionAssignment, CommissionPlan
from lejek.web.http import add_errors, domain_errors, error_message, user_of


def _plan(plan_id: int) -> CommissionPlan:
    found = CommissionPlan.objects.filter(pk=plan_id).first()
    if found is None:
        raise NotFound(f"Plan {plan_id} was not found.")
    return found


def _reps(user: User) -> Any:
    return selectors.visible_users(user).order_by("first_name", "last_name", "username")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def plans_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = plan_forms.PlanForm()
    status = 200
    if request.method == "POST":
        require_admin(user, "set up commission plans")
        form = plan_forms.PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = plans.plan_create(actor=user, data=form.service_data())
            except ValidationFailed as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The plan was saved."))
                return redirect("salesops:plan", plan_id=plan.pk)
        status = 422
    on_plan: dict[int, list[CommissionAssignment]] = defaultdict(list)
    for assignment in selectors.plan_assignments(user):
        on_plan[assignment.plan_id].append(assignment)
    context = {
        "rows": [(plan, on_plan[plan.pk]) for plan in selectors.plans()],
        "form": form,
        "can_edit": user.is_admin,
    }
    return render(request, "salesops/plans.html", context, status=status)


def _plan_page(
    request: HttpRequest, plan: CommissionPlan, status: int = 200, **extra: Any
) -> HttpResponse:
    user = user_of(request)
    context = {
        "plan": plan,
        "form": plan_forms.PlanEditForm(plan=plan),
        "assign_form": plan_forms.AssignForm(reps=_reps(user)),
        "assignments": selectors.plan_assignments(user).filter(plan=plan),
        "history": selectors.plan_history(user, plan),
        "can_edit": user.is_admin,
        **extra,
    }
    return render(request, "salesops/plan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    if request.method == "GET":
        return _plan_page(request, plan)
    user = user_of(request)
    require_admin(user, "change commission plans")
    form = plan_forms.PlanEditForm(request.POST, plan=plan)
    if not form.is_valid():
        return _plan_page(request, plan, 422, form=form)
    try:
        plans.plan_update(
            actor=user, plan=plan, data=form.service_data(), version=form.cleaned_data["version"]
        )
    except VersionConflict as exc:
        return _plan_page(request, _plan(plan_id), 409, form=form, conflict=error_message(exc))
    except ValidationFailed as exc:
        add_errors(form, exc)
        return _plan_page(request, _plan(plan_id), 422, form=form)
    messages.success(request, _("The plan was saved."))
    return redirect("salesops:plan", plan_id=plan.pk)


@login_required
@require_POST
@domain_errors
def plan_assign(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = user_of(request)
    require_admin(user, "assign commission plans")
    plan = _plan(plan_id)
    form = plan_forms.AssignForm(request.POST, reps=_reps(user))
    if not form.is_valid():
        return _plan_page(request, plan, 422, assign_form=form)
    rep = form.cleaned_data["rep"]
    plans.plan_assign(actor=user, user=rep, plan=plan)
    messages.success(request, _("%(rep)s is now on this plan.") % {"rep": rep.display_name})
    return redirect("salesops:plan", plan_id=plan.pk)


@login_required
@require_POST
@domain_errors
def plan_unassign(request: HttpRequest, plan_id: int, rep_id: int) -> HttpResponse:
    user = user_of(request)
    require_admin(user, "assign commission plans")
    plan = _plan(plan_id)
    rep = selectors.reps_seen_by(user).filter(pk=rep_id).first()
    if rep is None:
        raise NotFound(f"Rep {rep_id} was not found.")
    plans.plan_unassign(actor=user, user=rep, plan=plan)
    messages.success(request, _("%(rep)s is no longer on this plan.") % {"rep": rep.display_name})
    return redirect("salesops:plan", plan_id=plan.pk)
