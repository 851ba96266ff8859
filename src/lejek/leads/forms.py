"""Forms of the lead pages; the services apply the status and identity rules again on write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.contacts.forms import OwnedForm
from lejek.leads.models import Lead, Source
from lejek.web import lists
from lejek.web.forms import date_field, styled


def choices(enum: Any) -> list[tuple[str, Any]]:
    """Choices of a model enum with labels in the interface language."""
    return [(item.value, _(item.label)) for item in enum]


# A status is chosen by hand for everything but "converted", which only conversion sets.
STATUS_CHOICES = [c for c in choices(Lead.Status) if c[0] != Lead.Status.CONVERTED]


class LeadForm(OwnedForm):
    title = forms.CharField(max_length=200, required=False, label=_("Title"))
    first_name = forms.CharField(max_length=100, required=False, label=_("First name"))
    last_name = forms.CharField(max_length=100, required=False, label=_("Last name"))
    email = forms.EmailField(required=False, label=_("Email"))
    phone = forms.CharField(max_length=50, required=False, label=_("Phone"))
    job_title = forms.CharField(max_length=150, required=False, label=_("Job title"))
    company_name = forms.CharField(max_length=200, required=False, label=_("Company"))
    company_domain = forms.CharField(max_length=200, required=False, label=_("Company domain"))
    industry = forms.CharField(max_length=100, required=False, label=_("Industry"))
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        label=_("Country"),
        error_messages={"invalid": _("Use a two-letter country code, e.g. PL.")},
    )
    source = forms.ChoiceField(choices=choices(Source), initial=Source.OTHER, label=_("Source"))
    campaign = forms.CharField(max_length=200, required=False, label=_("Campaign"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, label=_("Status"))
    disqualified_reason = forms.CharField(
        max_length=200,
        required=False,
        label=_("Reason for disqualifying"),
        widget=forms.TextInput(attrs={"placeholder": _("Reason for disqualifying")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("user", None)
        super().__init__(*args, **kwargs)
        styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Lead.Status.DISQUALIFIED and not data.get("disqualified_reason"):
            self.add_error("disqualified_reason", _("Say why the lead is disqualified."))
        return data


class LeadFilterForm(lists.FilterForm):
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any")), *choices(Lead.Status)]
    )
    source = forms.ChoiceField(
        required=False, label=_("Source"), choices=[("", _("Any")), *choices(Source)]
    )
    owner = lists.OwnerChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("Anyone")
    )
    min_score = forms.IntegerField(
        required=False,
        label=_("Score from"),
        min_value=-(2**31 - 1),
        max_value=2**31 - 1,
        widget=forms.NumberInput(attrs={"style": "width: 6rem"}),
    )
    created_from = date_field(required=False, label=_("Created from"))
    created_to = date_field(required=False, label=_("Created until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lists.owner_choices(self.user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return data
