import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.customers.models import BookingPage, Contract
from lejek.pipelines.models import Stage

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class ContractForm(forms.Form):
    deal = forms.TypedChoiceField(label=_("Won deal"), coerce=int)
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    term_years = forms.DecimalField(
        label=_("Term (years)"), min_value=0.1, max_value=100, decimal_places=2, initial=1
    )
    amount = forms.DecimalField(
        label=_("Value"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    renewal_terms = forms.ChoiceField(label=_("Renewal"), choices=Contract.RenewalTerms.choices)
    notice_days = forms.IntegerField(
        label=_("Open the renewal (days before the end)"), min_value=0, max_value=3650, initial=60
    )

    def __init__(self, *args: Any, deals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deal_field = self.fields["deal"]
        assert isinstance(deal_field, forms.ChoiceField)
        deal_field.choices = [(d.pk, d.title) for d in deals]
        self.fields["start_date"].initial = datetime.date.today


class ReferralForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)


class HoursForm(forms.Form):
    """One start/end pair per weekday; an empty day is a day off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, name in enumerate(WEEKDAYS):
            time = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"})
            self.fields[f"start_{index}"] = forms.TimeField(label=name, required=False, widget=time)
            self.fields[f"end_{index}"] = forms.TimeField(label=name, required=False, widget=time)

    def days(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "start": self[f"start_{i}"], "end": self[f"end_{i}"]}
            for i, name in enumerate(WEEKDAYS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(7):
            start, end = data.get(f"start_{index}"), data.get(f"end_{index}")
            if (start is None) != (end is None) or (start and end and end <= start):
                self.add_error(f"end_{index}", _("Give a start and a later end, or neither."))
        return data

    def rows(self) -> list[tuple[int, datetime.time, datetime.time]]:
        data = self.cleaned_data
        return [
            (i, data[f"start_{i}"], data[f"end_{i}"])
            for i in range(7)
            if data.get(f"start_{i}") and data.get(f"end_{i}")
        ]


class BookingPageForm(forms.ModelForm):
    class Meta:
        model = BookingPage
        fields = [
            "title",
            "slug",
            "duration_minutes",
            "stage",
            "horizon_days",
            "min_notice_minutes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.active().filter(pipeline__is_active=True).select_related("pipeline")
        stage_field = self.fields["stage"]
        assert isinstance(stage_field, forms.ModelChoiceField)
        stage_field.queryset = stages
        stage_field.label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"  # type: ignore[method-assign,assignment]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
