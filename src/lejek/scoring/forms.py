"""Forms of the scoring pages: parsing only; the services validate and save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.automation.models import Campaign
from lejek.core.errors import DomainError, ValidationFailed
from lejek.scoring import calc
from lejek.scoring.models import Decay, EventType, Match, RuleKind, ThresholdKind
from lejek.web.forms import styled

CONDITION_ROWS = 4

FIELD_LABELS = {
    "url": _("Event: URL"),
    "source": _("Event: sending system"),
    "industry": _("Industry"),
    "company_size": _("Company size"),
    "budget": _("Budget"),
    "budget_currency": _("Budget currency"),
    "budget_confirmed": _("Budget confirmed"),
    "authority": _("Authority"),
    "need": _("Need"),
    "timeline": _("Timeline"),
    "pain_points": _("Pain points"),
    "job_title": _("Job title"),
    "company_name": _("Company"),
    "company_domain": _("Company domain"),
    "email": _("Email"),
    "country": _("Country"),
    "source_lead": _("Source"),
    "campaign": _("Campaign"),
    "status": _("Status"),
    "title": _("Title"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "phone": _("Phone"),
    "email_domain": _("Email domain"),
    "free_mail": _("Free-mail address (Gmail, WP…)"),
    "email_domain_mismatch": _("Email domain differs from the company domain"),
    "tags": _("Tags"),
}
OP_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "starts_with": _("starts with"),
    "ends_with": _("ends with"),
    "in": _("is one of (comma-separated)"),
    "not_in": _("is none of (comma-separated)"),
    "blank": _("is empty"),
    "not_blank": _("is not empty"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "lt": _("is less than"),
    "lte": _("is at most"),
    "is_true": _("is yes"),
    "is_false": _("is no"),
    "has": _("has the tag"),
    "has_not": _("does not have the tag"),
}


def _field_choices() -> list[Any]:
    event = [(name, FIELD_LABELS[name]) for name in calc.EVENT_FIELDS]
    lead = [
        (name, FIELD_LABELS.get(name if name != "source" else "source_lead", name))
        for name in calc.LEAD_FIELDS
    ]
    return [
        ("", "—"),
        (_("Event rules"), event),
        (_("Attribute rules"), [(f"lead:{n}", label) for n, label in lead]),
    ]


def _optional_int(label: Any, low: int, high: int, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=low, max_value=high, help_text=help_text
    )


class ServiceErrors:
    """Put a service's errors on the fields they name; the rest on the whole form."""

    names: dict[str, str] = {}

    def add_service_error(self, exc: DomainError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if not isinstance(exc, ValidationFailed) or not exc.fields:
            form.add_error(None, exc.message)
            return
        for name, messages in exc.fields.items():
            target = self._target(name)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)

    def _target(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "conditions" and len(parts) >= 2 and parts[1].isdigit():
            part = parts[2] if len(parts) > 2 else "field"
            return f"condition_{int(parts[1]) + 1}_{part}"
        return self.names.get(name, name)


class RuleForm(ServiceErrors, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Scores"), choices=RuleKind.choices)
    event_type = forms.ChoiceField(
        label=_("Event type"),
        required=False,
        choices=[("", "—"), *EventType.choices],
        help_text=_("For event rules."),
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-1000,
        max_value=1000,
        help_text=_("Negative points lower the score."),
    )
    match = forms.ChoiceField(label=_("Conditions that must hold"), choices=Match.choices)
    cap_count = _optional_int(
        _("Counts at most (times)"), 1, 100_000, _("Empty: no cap. Event rules only.")
    )
    cap_period_days = _optional_int(
        _("…per period of (days)"), 1, 3650, _("Empty: in total. 1 = per day, 7 = per week.")
    )
    decay = forms.ChoiceField(label=_("Decay"), required=False, choices=Decay.choices)
    decay_days = _optional_int(_("Decay after (days)"), 1, 3650)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _field_choices()
        ops = [("", "—"), *((op, OP_LABELS[op]) for op in OP_LABELS)]
        for n in range(1, CONDITION_ROWS + 1):
            self.fields[f"condition_{n}_field"] = forms.ChoiceField(
                label=_("Condition %(n)s: field") % {"n": n}, required=False, choices=choices
            )
            self.fields[f"condition_{n}_op"] = forms.ChoiceField(
                label=_("test"), required=False, choices=ops
            )
            self.fields[f"condition_{n}_value"] = forms.CharField(
                label=_("value"), required=False, max_length=200
            )
        styled(self, size="")

    def condition_rows(self) -> list[list[Any]]:
        return [
            [self[f"condition_{n}_{part}"] for part in ("field", "op", "value")]
            for n in range(1, CONDITION_ROWS + 1)
        ]

    def other_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith("condition_")]

    @staticmethod
    def initial_of(rule: Any) -> dict[str, Any]:
        initial = {
            name: getattr(rule, name)
            for name in (
                "name",
                "kind",
                "event_type",
                "points",
                "match",
                "cap_count",
                "cap_period_days",
                "decay",
                "decay_days",
                "is_active",
            )
        }
        for n, condition in enumerate(rule.conditions[:CONDITION_ROWS], start=1):
            prefix = "lead:" if rule.kind == RuleKind.ATTRIBUTE else ""
            value = condition.get("value")
            initial[f"condition_{n}_field"] = prefix + condition["field"]
            initial[f"condition_{n}_op"] = condition["op"]
            initial[f"condition_{n}_value"] = ", ".join(value) if isinstance(value, list) else value
        return initial

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("condition_")}
        data["decay"] = data.get("decay") or ""
        conditions = []
        for n in range(1, CONDITION_ROWS + 1):
            field = self.cleaned_data.get(f"condition_{n}_field") or ""
            op = self.cleaned_data.get(f"condition_{n}_op") or ""
            value = self.cleaned_data.get(f"condition_{n}_value") or ""
            if not (field or op or value):
                continue
            conditions.append({"field": field.removeprefix("lead:"), "op": op, "value": value})
        data["conditions"] = conditions
        return data


class ThresholdForm(ServiceErrors, forms.Form):
    names = {"assign_to_id": "assign_to", "campaign_id": "campaign"}

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ThresholdKind.choices)
    score = forms.IntegerField(
        label=_("Score"),
        min_value=-100_000,
        max_value=100_000,
        help_text=_("Crossed upwards; a disqualification floor when the score falls below it."),
    )
    assign_to = forms.ModelChoiceField(
        label=_("Assign to"), required=False, queryset=User.objects.none()
    )
    task_subject = forms.CharField(
        label=_("Create a task"), required=False, max_length=200, help_text=_("Its subject.")
    )
    task_due_days = forms.IntegerField(
        label=_("Task due in (days)"), min_value=0, max_value=365, initial=1
    )
    campaign = forms.ModelChoiceField(
        label=_("Add to the nurture campaign"), required=False, queryset=Campaign.objects.none()
    )
    campaign_name = forms.CharField(
        label=_("…or a new campaign named"), required=False, max_length=120
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "first_name", "username"
        )
        self.fields["campaign"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            kind=Campaign.Kind.CAMPAIGN
        ).order_by("name")
        styled(self, size="")

    @staticmethod
    def initial_of(threshold: Any) -> dict[str, Any]:
        return {
            "name": threshold.name,
            "kind": threshold.kind,
            "score": threshold.score,
            "assign_to": threshold.assign_to_id,
            "task_subject": threshold.task_subject,
            "task_due_days": threshold.task_due_days,
            "campaign": threshold.campaign_id,
            "is_active": threshold.is_active,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        rep, campaign = data.pop("assign_to"), data.pop("campaign")
        data["assign_to_id"] = rep.pk if rep else None
        data["campaign_id"] = campaign.pk if campaign else None
        data["campaign_name"] = (data.get("campaign_name") or "").strip() or None
        return data
