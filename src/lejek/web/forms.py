"""Form building blocks shared by every page, and the forms of the page shell."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from lejek.web.models import MAX_QUERY_LENGTH

# Keys of a list's query string that are not part of a saved view.
TRANSIENT_KEYS = ("page", "export")
# Browsers send ISO dates from date inputs whatever the interface language.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class FastSelect(forms.Select):
    """A select rendered in Python: a template per option made list pages slow to draw."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        options = [self._option(key, label, chosen) for key, label in self.choices]
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # noqa: S308  (built with format_html)
        )

    def _option(self, key: Any, label: Any, chosen: set[str]) -> str:
        if isinstance(label, list | tuple):
            inner = "".join(self._option(k, lab, chosen) for k, lab in label)
            return format_html('<optgroup label="{}">{}</optgroup>', key, mark_safe(inner))  # noqa: S308
        text = "" if key is None else str(key)
        selected = mark_safe(" selected") if text in chosen else ""
        return format_html('<option value="{}"{}>{}</option>', text, selected, label)


def styled(form: forms.Form, size: str = "sm") -> None:
    """Bootstrap classes on every widget, so templates can render fields generically."""
    suffix = f" form-select-{size}" if size else ""
    control = f" form-control-{size}" if size else ""
    for bound in form.visible_fields():
        if type(bound.field.widget) is forms.Select:
            fast = FastSelect(attrs=bound.field.widget.attrs)
            fast.choices = bound.field.widget.choices
            fast.is_required = bound.field.widget.is_required
            bound.field.widget = fast
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select" + suffix
        else:
            css = "form-control" + control
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def plausible_year(value: datetime.date | None) -> None:
    # Far-off years overflow when converted to UTC or stepped by a day; nobody needs them.
    if value is not None and not 1900 <= value.year <= 2200:
        raise ValidationError(_("Give a date between the years 1900 and 2200."))


def date_field(**kwargs: Any) -> forms.DateField:
    return forms.DateField(
        input_formats=[ISO_DATE],
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        validators=[plausible_year],
        **kwargs,
    )


def datetime_field(**kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        input_formats=list(ISO_DATETIME),
        widget=forms.DateTimeInput(format=ISO_DATETIME[0], attrs={"type": "datetime-local"}),
        validators=[plausible_year],
        **kwargs,
    )


class SavedViewForm(forms.Form):
    list_name = forms.SlugField(max_length=40)
    name = forms.CharField(max_length=80, label=_("Name"), strip=True)
    query = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False)

    def clean_query(self) -> str:
        params = QueryDict(self.cleaned_data.get("query") or "", mutable=True)
        for key in TRANSIENT_KEYS:
            params.pop(key, None)
        return params.urlencode()
