"""Forms of the automation pages: parsing only; the services validate and save."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.automation import gates, webhooks
from lejek.automation.models import Anchor, AutomationRun, EntityType, Offset, StepKind, Trigger
from lejek.core.errors import ValidationFailed


class JSONField(forms.CharField):
    """JSON typed into a text area, e.g. a rule's actions."""

    widget = forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"})

    def __init__(self, *, empty: Any, **kwargs: Any) -> None:
        self.empty = empty
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(value if value is not None else self.empty, indent=2, ensure_ascii=False)

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return self.empty
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            message = _("This is not valid JSON: %(error)s")
            raise forms.ValidationError(message, params={"error": exc}) from exc


def _control(field: forms.Field) -> forms.Field:
    css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
    if isinstance(field.widget, forms.Select):
        css = "form-select"
    field.widget.attrs.setdefault("class", css)
    return field


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _control(field)

    def add_domain_error(self, error: ValidationFailed) -> None:
        """Show a service's errors on the field they name (its first part: actions.0 → actions)."""
        if not error.fields:
            self.add_error(None, error.message)
        for name, messages in error.fields.items():
            field = name.split(".")[0]
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message if name == field else f"{name}: {message}")


class RuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    entity_type = forms.ChoiceField(label=_("Record"), choices=EntityType.choices)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Trigger.choices)
    trigger_params = JSONField(label=_("Trigger parameters"), empty={})
    conditions = JSONField(label=_("Conditions"), empty=[])
    actions = JSONField(label=_("Actions"), empty=[])
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class DryRunForm(StyledForm):
    entity_id = forms.IntegerField(label=_("Record id"), min_value=1, max_value=2**63 - 1)


class StepForm(StyledForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Step"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    anchor = forms.ChoiceField(label=_("Timed from"), choices=Anchor.choices)
    offset_value = forms.IntegerField(
        label=_("Offset"), initial=0, min_value=-10_000, max_value=10_000
    )
    offset_unit = forms.ChoiceField(label=_("Unit"), choices=Offset.choices)
    actions = JSONField(label=_("Actions"), empty=[])
    actions.widget = forms.Textarea(attrs={"rows": 3, "class": "form-control font-monospace"})


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, max_num=50)


class GateForm(StyledForm):
    required_fields = forms.MultipleChoiceField(
        label=_("Fields required to move forward"),
        required=False,
        choices=list(gates.GATE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )


class HolidayForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class WebhookForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(label=_("URL"), max_length=500)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t, t) for t in (webhooks.ALL, *webhooks.EVENT_TYPES)],
        widget=forms.CheckboxSelectMultiple,
    )


class RunFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *AutomationRun.Status.choices]
    )
    entity_type = forms.ChoiceField(
        label=_("Record"), required=False, choices=[("", _("All")), *EntityType.choices]
    )
