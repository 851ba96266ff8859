"""The deals list: filters, sort, search, saved views, bulk owner and stage changes, export."""

from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.leads.models import Source
from lejek.pipelines import selectors, services
from lejek.pipelines.models import Deal, Pipeline, Stage
from lejek.web import lists
from lejek.web.forms import date_field, styled
from lejek.web.lists import BulkAction, Column, ExportColumn


def _choices(enum: Any) -> list[tuple[str, Any]]:
    return [(item.value, _(item.label)) for item in enum]


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pipeline.name} · {obj.name}"


def active_stages() -> Any:
    return (
        Stage.objects.active()
        .filter(pipeline__is_active=True)
        .select_related("pipeline")
        .order_by("pipeline__order", "pipeline_id", "order", "id")
    )


class DealFilterForm(lists.FilterForm):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Any")), *_choices(Deal.Status)],
    )
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.filter(is_active=True),
        required=False,
        label=_("Pipeline"),
        empty_label=_("All"),
    )
    stage = StageChoiceField(
        queryset=Stage.objects.none(), required=False, label=_("Stage"), empty_label=_("All")
    )
    owner = lists.OwnerChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("Anyone")
    )
    source = forms.ChoiceField(
        required=False, label=_("Source"), choices=[("", _("Any")), *_choices(Source)]
    )
    forecast_category = forms.ChoiceField(
        required=False,
        label=_("Forecast"),
        choices=[("", _("Any")), *_choices(Deal.ForecastCategory)],
    )
    expected_close_from = date_field(required=False, label=_("Closing from"))
    expected_close_to = date_field(required=False, label=_("Closing until"))
    no_next_activity = forms.BooleanField(required=False, label=_("No next activity"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lists.owner_choices(self.user)  # type: ignore[attr-defined]
        self.fields["stage"].queryset = active_stages()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("expected_close_from"), data.get("expected_close_to")
        if start and end and end < start:
            self.add_error("expected_close_to", _("The end date is before the start date."))
        return data


class MoveStageForm(forms.Form):
    stage = StageChoiceField(queryset=Stage.objects.none(), label=_("New stage"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = active_stages()  # type: ignore[attr-defined]
        styled(self)


def _deals(user: User, data: dict[str, Any]) -> Any:
    def pk(name: str) -> int | None:
        value = data.get(name)
        return value.pk if value is not None else None

    filters = SimpleNamespace(
        pipeline_id=pk("pipeline"),
        stage_id=pk("stage"),
        status=data.get("status") or None,
        owner_id=pk("owner"),
        team_id=None,
        organization_id=None,
        source=data.get("source") or None,
        forecast_category=data.get("forecast_category") or None,
        q=data.get("q") or None,
        expected_close_from=data.get("expected_close_from"),
        expected_close_to=data.get("expected_close_to"),
        created_from=None,
        created_to=None,
        no_next_activity=bool(data.get("no_next_activity")),
    )
    return selectors.deal_list(user=user, filters=filters)


def _move(actor: User, deal: Deal, params: dict[str, Any]) -> Deal:
    return services.deal_move_to_stage(
        actor=actor, deal=deal, stage=params["stage"], version=deal.version
    )


def _local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment else None


DEAL_LIST = lists.ListSpec(
    name="deals",
    title=_("Deals"),
    template="pipelines/deal_list.html",
    filter_form=DealFilterForm,
    queryset=_deals,
    sorts=selectors.DEAL_SORTS,
    default_sort="-created_at",
    columns=(
        Column(_("Title"), "title"),
        Column(_("Organization")),
        Column(_("Stage")),
        Column(_("Amount"), "amount", "text-end"),
        Column(_("Expected close"), "expected_close_date", "text-end"),
        Column(_("Next activity"), "next_activity_at", "text-end"),
        Column(_("Owner")),
        Column(_("Status")),
    ),
    export=(
        ExportColumn("ID", lambda d: d.pk),
        ExportColumn(_("Title"), lambda d: d.title),
        ExportColumn(_("Organization"), lambda d: d.organization.name if d.organization else ""),
        ExportColumn(_("Pipeline"), lambda d: d.pipeline.name),
        ExportColumn(_("Stage"), lambda d: d.stage.name),
        ExportColumn(_("Status"), lambda d: d.status),
        ExportColumn(_("Amount"), lambda d: d.amount),
        ExportColumn(_("Currency"), lambda d: d.currency),
        ExportColumn(_("Weighted amount"), lambda d: d.weighted_amount),
        ExportColumn(_("Expected close"), lambda d: d.expected_close_date),
        ExportColumn(_("Forecast category"), lambda d: d.forecast_category),
        ExportColumn(_("Source"), lambda d: d.source),
        ExportColumn(_("Owner"), lambda d: d.owner.display_name),
        ExportColumn(_("Next activity"), lambda d: _local(d.next_activity_at)),
        ExportColumn(_("Lost reason"), lambda d: d.lost_reason),
        ExportColumn(_("Created"), lambda d: _local(d.created_at)),
        ExportColumn(_("Closed"), lambda d: _local(d.closed_at)),
    ),
    bulk=(
        lists.assign_owner(services.deal_update, "deal"),
        BulkAction("move_stage", _("Move to stage"), MoveStageForm, _move),
        lists.add_tag(),
    ),
    create_url="pipelines:deal-create",
    extra_context=lambda user: {"now": timezone.now()},
)


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    return lists.list_view(request, DEAL_LIST)
