"""Forms of the activity panel, "my day" and the activity list."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.web import lists, timeline
from lejek.web.forms import date_field, datetime_field, styled

Kind = Activity.Kind
# What can be scheduled: everything but a note, which records what already happened.
SCHEDULABLE = [(k.value, timeline.KIND_LABELS[k.value]) for k in Kind if k != Kind.NOTE]
DIRECTIONS = [
    (Activity.Direction.OUTBOUND.value, _("Outbound")),
    (Activity.Direction.INBOUND.value, _("Inbound")),
]


def next_morning() -> datetime.datetime:
    """Tomorrow at nine, local time: the usual answer to "when do we talk next?"."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(9, 0)))


class PanelForm(forms.Form):
    """Compact forms: the label doubles as placeholder and accessible name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)
            if isinstance(field.widget, forms.TextInput | forms.Textarea | forms.NumberInput):
                field.widget.attrs.setdefault("placeholder", field.label)

    def service_data(self) -> dict[str, Any]:
        """What `activities.services.activity_create` receives (links added by the view)."""
        raise NotImplementedError


class CallForm(PanelForm):
    """A call that already happened."""

    subject = forms.CharField(max_length=200, required=False, label=_("Subject"))
    direction = forms.ChoiceField(
        choices=DIRECTIONS, initial=Activity.Direction.OUTBOUND, label=_("Direction")
    )
    outcome = forms.CharField(max_length=200, required=False, label=_("Outcome"))
    duration_minutes = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, label=_("Minutes")
    )
    body = forms.CharField(
        max_length=100_000,
        required=False,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "kind": Kind.CALL, "done_at": timezone.now()}


class NoteForm(PanelForm):
    body = forms.CharField(
        max_length=100_000, label=_("Note"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_data(self) -> dict[str, Any]:
        return {"kind": Kind.NOTE, "body": self.cleaned_data["body"]}


class ScheduleForm(PanelForm):
    kind = forms.ChoiceField(choices=SCHEDULABLE, initial=Kind.CALL, label=_("Type"))
    subject = forms.CharField(max_length=200, required=False, label=_("Subject"))
    due_at = datetime_field(label=_("Due"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_at"].initial = next_morning

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CompleteForm(PanelForm):
    """Mark done, and (offered at once) schedule what comes next."""

    outcome = forms.CharField(max_length=200, required=False, label=_("Outcome"))
    schedule_next = forms.BooleanField(
        required=False, initial=True, label=_("Schedule the next one")
    )
    next_kind = forms.ChoiceField(
        choices=SCHEDULABLE, initial=Kind.CALL, required=False, label=_("Type")
    )
    next_subject = forms.CharField(max_length=200, required=False, label=_("Subject"))
    next_due_at = datetime_field(required=False, label=_("Due"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_due_at"].initial = next_morning

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("schedule_next"):
            if not data.get("next_due_at"):
                self.add_error("next_due_at", _("Give the next activity a due time."))
            if not data.get("next_kind"):
                self.add_error("next_kind", _("Choose what to schedule next."))
        return data

    def next_activity(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("schedule_next"):
            return None
        return {
            "kind": data["next_kind"],
            "subject": data.get("next_subject") or "",
            "due_at": data["next_due_at"],
        }


class TaskForm(PanelForm):
    """A task of one's own, not tied to a record."""

    subject = forms.CharField(max_length=200, label=_("Task"))
    due_at = datetime_field(label=_("Due"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_at"].initial = next_morning

    def service_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "kind": Kind.TASK}


class ActivityFilterForm(lists.FilterForm):
    kind = forms.ChoiceField(
        required=False,
        label=_("Type"),
        choices=[("", _("Any")), *((k.value, timeline.KIND_LABELS[k.value]) for k in Kind)],
    )
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        choices=[("", _("Any")), ("open", _("To do")), ("done", _("Done"))],
    )
    owner = lists.OwnerChoiceField(
        queryset=User.objects.none(), required=False, label=_("Owner"), empty_label=_("Anyone")
    )
    due_from = date_field(required=False, label=_("Due from"))
    due_to = date_field(required=False, label=_("Due until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lists.owner_choices(self.user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", _("The end date is before the start date."))
        return data
