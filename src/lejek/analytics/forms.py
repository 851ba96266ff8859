"""The dashboard's filter form: period, pipeline, owner, team, source, grouping."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import Team, User
from lejek.analytics import filters
from lejek.core.errors import DomainError
from lejek.leads.models import Source
from lejek.pipelines.models import Pipeline


class MonthInput(forms.TextInput):
    input_type = "month"


class DashboardForm(forms.Form):
    start = forms.CharField(label=_("From"), required=False, widget=MonthInput())
    end = forms.CharField(label=_("To"), required=False, widget=MonthInput())
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), required=False, coerce=int)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int)
    source = forms.ChoiceField(label=_("Source"), required=False)
    group_by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[
            ("", "—"),
            ("owner", _("Owner")),
            ("team", _("Team")),
            ("source", _("Source")),
            ("month", _("Month")),
        ],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        anyone = [("", _("All"))]
        pipelines = Pipeline.objects.filter(is_active=True).order_by("order", "pk")
        fields: Any = self.fields  # ChoiceFields, whose choices are set per user
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
        fields["source"].choices = anyone + list(Source.choices)

    def resolved(self) -> filters.Filters | None:
        """The checked filters, or None with the problems added to the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            period = filters.period_from(data["start"] or None, data["end"] or None)
            return filters.resolve(
                user=self.user,
                period=period,
                pipeline_id=data["pipeline"] or None,
                owner_id=data["owner"] or None,
                team_id=data["team"] or None,
                source=data["source"] or None,
            )
        except DomainError as exc:
            for name, messages in exc.fields.items():
                field = {"pipeline_id": "pipeline", "owner_id": "owner", "team_id": "team"}.get(
                    name, name
                )
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            if not exc.fields:
                self.add_error(None, exc.message)
            return None
