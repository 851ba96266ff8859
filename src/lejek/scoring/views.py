"""Scoring pages: the rules and thresholds editor, and the score explanation on a lead page.

Managers and admins see the editor; only admins change anything (the services say so).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lejek.accounts import access
from lejek.core.errors import DomainError, Forbidden
from lejek.leads.models import Lead
from lejek.scoring import calc, forms, ledger, rescore, selectors, services
from lejek.scoring.models import ScoreEntry
from lejek.web.http import domain_errors, staff_only, user_of


def _saved(form: Any, save: Callable[[], Any]) -> bool:
    try:
        save()
    except Forbidden:
        raise
    except DomainError as exc:
        form.add_service_error(exc)
        return False
    return True


@staff_only
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.rule_list())
    context = {
        "event_rules": [r for r in rules if r.kind == r.Kind.EVENT],
        "attribute_rules": [r for r in rules if r.kind == r.Kind.ATTRIBUTE],
        "thresholds": selectors.threshold_list(),
        "field_labels": forms.FIELD_LABELS,
        "op_labels": forms.OP_LABELS,
    }
    return render(request, "scoring/rule_list.html", context)


@staff_only
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = selectors.rule_get(pk) if pk is not None else None
    initial = forms.RuleForm.initial_of(rule) if rule is not None else {}
    form = forms.RuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data()
            actor = user_of(request)

            def save() -> None:
                if rule is None:
                    services.rule_create(actor=actor, data=data)
                else:
                    version = int(request.POST.get("version") or rule.version)
                    services.rule_update(actor=actor, rule=rule, data=data, version=version)

            if _saved(form, save):
                messages.success(request, _("The rule was saved. Leads are being scored again."))
                return redirect("scoring:rule-list")
        status = 422
    context = {"form": form, "rule": rule}
    return render(request, "scoring/rule_form.html", context, status=status)


@staff_only
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.rule_delete(actor=user_of(request), rule=selectors.rule_get(pk))
    messages.success(request, _("The rule was deleted; the points it gave are being taken back."))
    return redirect("scoring:rule-list")


@staff_only
@require_POST
def rules_examples(request: HttpRequest) -> HttpResponse:
    access.require_admin(user_of(request), "change scoring rules")
    created = services.rules_ensure_defaults(actor=user_of(request))
    if created:
        messages.success(
            request, _("%(count)s example rules were added.") % {"count": len(created)}
        )
    else:
        messages.info(request, _("The example rules are all there already."))
    return redirect("scoring:rule-list")


@staff_only
@require_POST
def rescore_all(request: HttpRequest) -> HttpResponse:
    services.rescore_all(actor=user_of(request))
    messages.success(request, _("Every lead will be scored again in the background."))
    return redirect("scoring:rule-list")


@staff_only
def threshold_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    threshold = selectors.threshold_get(pk) if pk is not None else None
    initial = forms.ThresholdForm.initial_of(threshold) if threshold is not None else {}
    form = forms.ThresholdForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data()
            actor = user_of(request)

            def save() -> None:
                if threshold is None:
                    services.threshold_create(actor=actor, data=data)
                else:
                    version = int(request.POST.get("version") or threshold.version)
                    services.threshold_update(
                        actor=actor, threshold=threshold, data=data, version=version
                    )

            if _saved(form, save):
                messages.success(request, _("The threshold was saved."))
                return redirect("scoring:rule-list")
        status = 422
    context = {"form": form, "threshold": threshold}
    return render(request, "scoring/threshold_form.html", context, status=status)


@staff_only
@require_POST
def threshold_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.threshold_delete(actor=user_of(request), threshold=selectors.threshold_get(pk))
    messages.success(request, _("The threshold was deleted."))
    return redirect("scoring:rule-list")


# --- the lead page ------------------------------------------------------------------------


def _is_stale(lead: Lead) -> bool:
    """Do the attribute rules' points still match the lead's data? (Its data may have
    changed since the last event or rescoring.)"""
    specs = [s for s in ledger.active_specs() if s.kind == calc.ATTRIBUTE]
    if not specs:
        return False
    stored = {name: getattr(lead, name) for name in calc.STORED_LEAD_FIELDS}
    values = calc.lead_values(stored, ledger.lead_tags([lead.pk]).get(lead.pk, ()))
    current = ledger.rule_sums([lead.pk], [s.id for s in specs])
    return any(
        calc.attribute_rule_total(s, values) != current.get((lead.pk, s.id), 0) for s in specs
    )


def _score_card(request: HttpRequest, lead: Lead, status: int = 200) -> HttpResponse:
    context = {
        **selectors.lead_explanation(lead),
        "events": selectors.lead_events(lead),
        "stale": _is_stale(lead),
        "reasons": dict(ScoreEntry.Reason.choices),
    }
    return render(request, "scoring/lead_score.html", context, status=status)


@login_required
@domain_errors
def lead_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The score explanation shown on the lead page (loaded by htmx)."""
    lead = access.visible_or_404(Lead, user=user_of(request), pk=pk)
    return _score_card(request, lead)


@login_required
@require_POST
@domain_errors
def lead_score_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the lead again now (after its data changed)."""
    lead = access.visible_or_404(Lead, user=user_of(request), pk=pk)
    rescore.lead_refresh([lead.pk])
    lead.refresh_from_db()
    return _score_card(request, lead)
