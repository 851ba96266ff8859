"""Forms of the pipeline editor: a new pipeline (from a template or own stages), stages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lejek.pipelines.forms import IdListField, StyledForm
from lejek.pipelines.models import Stage
from lejek.pipelines.templates import TEMPLATES

TEMPLATE_LABELS: dict[str, Any] = {
    "outbound_b2b": _("Outbound B2B"),
    "seven_stage": _("Seven-stage"),
    "probability_weighted": _("Probability-weighted"),
    "sales_cycle": _("Sales cycle"),
}


def parse_stage_lines(text: str) -> list[dict[str, Any]]:
    """One stage per line, optionally "Name, 40" for a 40 % win probability."""
    specs = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        name, probability = line, 0
        head, sep, tail = line.rpartition(",")
        if sep and tail.strip().isdigit():
            name, probability = head.strip(), int(tail.strip())
            if probability > 100:
                raise ValidationError(_("A probability is between 0 and 100."), code="invalid")
        if len(name) > 120:
            raise ValidationError(_("A stage name has at most 120 characters."), code="invalid")
        specs.append({"name": name, "probability": probability})
    if len(specs) > 50:
        raise ValidationError(_("A pipeline has at most 50 stages."), code="invalid")
    return specs


class PipelineCreateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    template = forms.ChoiceField(label=_("Start from"), required=False, widget=forms.RadioSelect)
    stages = forms.CharField(
        label=_("Stages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_('One stage per line; add a win probability after a comma, e.g. "Demo, 40".'),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field: Any = self.fields["template"]
        template_field.choices = [
            ("", _("Empty")),
            *((key, TEMPLATE_LABELS.get(key, t.name)) for key, t in TEMPLATES.items()),
        ]
        self.fields["template"].widget.attrs = {"class": "form-check-input"}

    def clean_stages(self) -> list[dict[str, Any]]:
        return parse_stage_lines(self.cleaned_data.get("stages") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("template") and not data.get("stages") and "stages" not in self.errors:
            self.add_error("stages", _("Choose a template or list at least one stage."))
        return data


class PipelineRenameForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class StageForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    probability = forms.IntegerField(label=_("Win probability, %"), min_value=0, max_value=100)
    rotting_days = forms.IntegerField(
        label=_("Stale after, days"), min_value=1, max_value=3650, required=False
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["name"] = data["name"].strip()
        return data


class StageShiftForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class StageOrderForm(forms.Form):
    stage_ids = IdListField()


class StageRemoveForm(StyledForm):
    move_to = forms.TypedChoiceField(label=_("Move its deals to"), coerce=int)

    def __init__(self, *args: Any, stage: Stage, others: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        move_field: Any = self.fields["move_to"]
        move_field.choices = [(s.pk, s.name) for s in others if s.pk != stage.pk]
