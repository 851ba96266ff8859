"""Forms of the pipeline pages: board filters, a new deal, and a deal's fields edited in place.

Forms only parse and bound input; the services decide and raise DomainError, whose
per-field messages `add_domain_errors` puts back on the form.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import Team, User
from lejek.core import money
from lejek.core.errors import DomainError
from lejek.core.listing import MAX_ID
from lejek.leads.models import Source
from lejek.pipelines.labels import (
    CLOSE_PERIODS,
    FORECAST_LABELS,
    OBJECTION_LABELS,
    SOURCE_LABELS,
)
from lejek.pipelines.models import Deal, Pipeline

CURRENCY_CHOICES = [(code, code) for code in sorted(money.CURRENCIES)]


def choices(labels: dict[Any, Any]) -> list[tuple[str, Any]]:
    return [(str(key), label) for key, label in labels.items()]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.MultipleHiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


def add_domain_errors(form: forms.Form, exc: DomainError, fields: dict[str, str]) -> None:
    """Put a service's error on the form: per field where the names map, else on the form."""
    placed = False
    for name, messages in exc.fields.items():
        target = fields.get(name, name if name in form.fields else None)
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- board filters -------------------------------------------------------------------------


@dataclass
class DealFilters:
    """The filter values `selectors.deal_list` reads, as the API's DealFilters has them."""

    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    organization_id: int | None = None
    source: str | None = None
    forecast_category: str | None = None
    q: str | None = None
    expected_close_from: datetime.date | None = None
    expected_close_to: datetime.date | None = None
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    no_next_activity: bool = False


def _quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_bounds(period: str, today: datetime.date) -> tuple[datetime.date | None, datetime.date]:
    """First and last day of an expected-close period (overdue: anything before today)."""
    one_day = datetime.timedelta(days=1)
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    bounds: dict[str, tuple[datetime.date | None, datetime.date]] = {
        "overdue": (None, today - one_day),
        "this_month": (month, _add_months(month, 1) - one_day),
        "next_month": (_add_months(month, 1), _add_months(month, 2) - one_day),
        "this_quarter": (quarter, _add_months(quarter, 3) - one_day),
        "next_quarter": (_add_months(quarter, 3), _add_months(quarter, 6) - one_day),
        "this_year": (today.replace(month=1, day=1), today.replace(month=12, day=31)),
    }
    return bounds[period]


class BoardFilterForm(StyledForm):
    """Owner, team, source, expected close period and a search; unknown values are ignored."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Owner"))
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Team"))
    source = forms.ChoiceField(required=False, label=_("Source"))
    close = forms.ChoiceField(required=False, label=_("Expected close"))
    no_next = forms.BooleanField(required=False, label=_("No next activity"))

    def __init__(self, *args: Any, owners: list[User], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: Any = self.fields["owner"]
        team_field: Any = self.fields["team"]
        source_field: Any = self.fields["source"]
        close_field: Any = self.fields["close"]
        owner_field.choices = [("", _("All owners")), *((u.pk, u.display_name) for u in owners)]
        team_field.choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]
        source_field.choices = [("", _("All sources")), *choices(SOURCE_LABELS)]
        close_field.choices = [("", _("Any close date")), *choices(CLOSE_PERIODS)]
        self.fields["q"].widget.attrs["placeholder"] = _("Search deals")
        self.fields["q"].widget.attrs["type"] = "search"

    def values(self, *, pipeline_id: int, today: datetime.date) -> DealFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        close_from, close_to = None, None
        if data.get("close"):
            close_from, close_to = period_bounds(data["close"], today)
        return DealFilters(
            pipeline_id=pipeline_id,
            status=Deal.Status.OPEN,
            owner_id=data.get("owner"),
            team_id=data.get("team"),
            source=data.get("source") or None,
            q=(data.get("q") or "").strip() or None,
            expected_close_from=close_from,
            expected_close_to=close_to,
            no_next_activity=bool(data.get("no_next")),
        )

    @property
    def active_count(self) -> int:
        data = getattr(self, "cleaned_data", {})
        return sum(
            1 for key in ("q", "owner", "team", "source", "close", "no_next") if data.get(key)
        )


# --- deals ---------------------------------------------------------------------------------


class IdListField(forms.Field):
    """A list of record ids from checkboxes; the services check that each one is visible."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise ValidationError(_("Choose from the list."), code="invalid") from None
        if any(i < 1 or i > MAX_ID for i in ids) or len(ids) > 50:
            raise ValidationError(_("Choose from the list."), code="invalid")
        return ids


def id_field(label: Any, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=MAX_ID)


def amount_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=16, decimal_places=2
    )


def date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def owner_choices(users: list[User]) -> list[tuple[int, str]]:
    return [(u.pk, u.display_name) for u in users]


class DealCreateForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    stage = forms.TypedChoiceField(label=_("Pipeline and stage"), coerce=int)
    organization = id_field(_("Organization"))
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    amount = amount_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    expected_close_date = date_field(_("Expected close"))
    source = forms.ChoiceField(label=_("Source"), choices=choices(SOURCE_LABELS))
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), choices=choices(FORECAST_LABELS)
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)

    # Service field names → form field names, for errors.
    error_fields = {
        "pipeline_id": "stage",
        "stage_id": "stage",
        "organization_id": "organization",
        "owner_id": "owner",
    }

    def __init__(
        self, *args: Any, pipelines: list[Pipeline], owners: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        stage_field: Any = self.fields["stage"]
        stage_field.choices = [
            (p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in pipelines
        ]
        owner_field: Any = self.fields["owner"]
        owner_field.choices = owner_choices(owners)
        self.fields["currency"].initial = settings.REPORTING_CURRENCY
        self.fields["source"].initial = Source.OTHER
        self.stage_pipeline = {s.pk: p.pk for p in pipelines for s in p.stages.all()}

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "pipeline_id": self.stage_pipeline.get(data["stage"]),
            "stage_id": data["stage"],
            "organization_id": data.get("organization"),
            "owner_id": data.get("owner"),
            "amount": data.get("amount"),
            "currency": data["currency"],
            "expected_close_date": data.get("expected_close_date"),
            "source": data["source"],
            "forecast_category": data["forecast_category"],
            "next_step": data.get("next_step", "").strip(),
        }


class FieldForm(StyledForm):
    """Edits one group of a deal's fields in place; `service_data` is what deal_update takes."""

    error_fields: dict[str, str] = {}

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {name: getattr(deal, name) for name in cls.base_fields}

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TitleForm(FieldForm):
    title = forms.CharField(label=_("Title"), max_length=200)

    def service_data(self) -> dict[str, Any]:
        return {"title": self.cleaned_data["title"].strip()}


class AmountForm(FieldForm):
    amount = amount_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)


class OwnerForm(FieldForm):
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    error_fields = {"owner_id": "owner"}

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: Any = self.fields["owner"]
        owner_field.choices = owner_choices(owners)

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {"owner": deal.owner_id}

    def service_data(self) -> dict[str, Any]:
        return {"owner_id": self.cleaned_data["owner"]}


class OrganizationForm(FieldForm):
    organization = id_field(_("Organization"))
    error_fields = {"organization_id": "organization"}

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {"organization": deal.organization_id}

    def service_data(self) -> dict[str, Any]:
        return {"organization_id": self.cleaned_data.get("organization")}


class PeopleForm(FieldForm):
    people = IdListField(label=_("People"), required=False)
    error_fields = {"person_ids": "people"}

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {"people": [p.pk for p in deal.people.all()]}

    def service_data(self) -> dict[str, Any]:
        return {"person_ids": self.cleaned_data["people"]}


class CloseDateForm(FieldForm):
    expected_close_date = date_field(_("Expected close"))


class ForecastForm(FieldForm):
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), choices=choices(FORECAST_LABELS)
    )
    committed_amount = amount_field(_("Committed amount"))
    committed_date = date_field(_("Committed date"))


class SourceForm(FieldForm):
    source = forms.ChoiceField(label=_("Source"), choices=choices(SOURCE_LABELS))


class NextStepForm(FieldForm):
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)

    def service_data(self) -> dict[str, Any]:
        return {"next_step": self.cleaned_data["next_step"].strip()}


# The deal's in-place editable field groups, in the order the page shows them.
FIELD_FORMS: dict[str, type[FieldForm]] = {
    "title": TitleForm,
    "amount": AmountForm,
    "owner": OwnerForm,
    "organization": OrganizationForm,
    "people": PeopleForm,
    "expected_close_date": CloseDateForm,
    "forecast": ForecastForm,
    "source": SourceForm,
    "next_step": NextStepForm,
}
FIELD_LABELS: dict[str, Any] = {
    "title": _("Title"),
    "amount": _("Amount"),
    "owner": _("Owner"),
    "organization": _("Organization"),
    "people": _("People"),
    "expected_close_date": _("Expected close"),
    "forecast": _("Forecast"),
    "source": _("Source"),
    "next_step": _("Next step"),
}


class LostForm(StyledForm):
    lost_reason = forms.CharField(
        label=_("Why was it lost?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    objection_tags = forms.MultipleChoiceField(
        label=_("Objections"),
        required=False,
        choices=choices(OBJECTION_LABELS),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class MoveForm(forms.Form):
    stage_id = id_field(_("Stage"), required=True)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    # Managers and admins may move past an incomplete stage checklist by saying why.
    override_reason = forms.CharField(max_length=2000, required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
