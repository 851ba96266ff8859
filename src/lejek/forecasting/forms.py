"""The forecast page's form: horizon, grouping, filters, and the run-rate inputs.

Blank run-rate inputs keep the values suggested from history; bounds are those of the
API (`schemas.ForecastFilters`), so the page and the API accept the same numbers.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import Team, User
from lejek.analytics import filters
from lejek.core.errors import DomainError
from lejek.forecasting import gather, selectors
from lejek.pipelines.models import Pipeline

RUN_RATE_FIELDS = ("average_revenue", "growth_rate", "new_reps", "ramp_deals", "average_deal_value")
FILTER_FIELDS = {"pipeline_id": "pipeline", "owner_id": "owner", "team_id": "team"}
NUMBER = {"class": "form-control form-control-sm", "inputmode": "decimal"}


class ForecastForm(forms.Form):
    horizon = forms.TypedChoiceField(
        label=_("Months ahead"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(h, str(h)) for h in range(1, 10)],
    )
    group_by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("team", _("Team")), ("owner", _("Owner")), ("pipeline", _("Pipeline"))],
    )
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), required=False, coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int)
    average_revenue = forms.DecimalField(
        label=_("Average monthly revenue"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    growth_rate = forms.DecimalField(
        label=_("Monthly growth (0.05 = 5 %)"),
        required=False,
        min_value=Decimal(-1),
        max_value=Decimal(10),
        max_digits=8,
        decimal_places=4,
        widget=forms.TextInput(NUMBER),
    )
    new_reps = forms.IntegerField(
        label=_("New reps"),
        required=False,
        min_value=0,
        max_value=10_000,
        widget=forms.TextInput({**NUMBER, "inputmode": "numeric"}),
    )
    ramp_deals = forms.DecimalField(
        label=_("Deals a new rep closes a month"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(1000),
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )
    average_deal_value = forms.DecimalField(
        label=_("Average deal value"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(NUMBER),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        anyone = [("", _("All"))]
        fields: Any = self.fields  # choice fields whose choices depend on the user
        pipelines = Pipeline.objects.filter(is_active=True).order_by("order", "pk")
        fields["pipeline"].choices = anyone + [(p.pk, p.name) for p in pipelines]
        owners = filters.visible_owner_ids(user)
        people = User.objects.filter(is_active=True).order_by("first_name", "username")
        if owners is not None:
            people = people.filter(pk__in=owners)
        fields["owner"].choices = anyone + [(u.pk, u.display_name) for u in people]
        teams = Team.objects.order_by("name")
        if not user.is_admin:
            teams = teams.filter(pk=user.team_id or 0) if user.is_manager else teams.none()
        fields["team"].choices = anyone + [(t.pk, t.name) for t in teams]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def resolved(self) -> gather.Scope | None:
        """The checked scope, or None with the problems added to the fields."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            return selectors.resolve_scope(
                self.user,
                pipeline_id=data["pipeline"] or None,
                owner_id=data["owner"] or None,
                team_id=data["team"] or None,
            )
        except DomainError as exc:
            for name, messages in exc.fields.items():
                field = FILTER_FIELDS.get(name, name)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            if not exc.fields:
                self.add_error(None, exc.message)
            return None

    @property
    def horizon_value(self) -> int:
        return int(self.cleaned_data.get("horizon") or 3)

    @property
    def group_by_value(self) -> str:
        return str(self.cleaned_data.get("group_by") or "team")

    def inputs(self) -> dict[str, Any]:
        """The run-rate inputs the user gave; the others keep their suggested values."""
        return {
            n: self.cleaned_data[n] for n in RUN_RATE_FIELDS if self.cleaned_data[n] is not None
        }

    def ids(self) -> dict[str, int | None]:
        data = self.cleaned_data
        return {
            "owner_id": data.get("owner") or None,
            "team_id": data.get("team") or None,
            "pipeline_id": data.get("pipeline") or None,
        }
