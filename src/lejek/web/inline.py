"""Fields edited in place on record pages (htmx): one field, one service call, one version.

The page keeps the record's version in one hidden input (`#record-version`) that
every field form includes; a successful save sends the new version back out of
band, so the next edit on the page carries it. A stale version answers 409 with
"changed by someone else" instead of overwriting another person's change.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lejek.accounts.models import User
from lejek.core.errors import DomainError, NotFound, VersionConflict
from lejek.web.forms import styled
from lejek.web.http import add_errors, error_message, user_of

DASH = "—"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Editable:
    """One editable field of a record page.

    `field(user)` builds the form field; `initial(record)` its value; `show(record)` the
    text on the page; the service receives `{key: convert(value)}` (key defaults to the
    name, e.g. `owner` → `owner_id` with the user's id); `link(record)` an optional URL.
    """

    name: str
    label: Any
    field: Callable[[User], forms.Field]
    show: Callable[[Any], Any]
    initial: Callable[[Any], Any] | None = None
    key: str = ""
    convert: Callable[[Any], Any] = _same
    link: Callable[[Any], str | None] | None = None
    wide: bool = False

    @property
    def service_key(self) -> str:
        return self.key or self.name

    def initial_of(self, record: Any) -> Any:
        return self.initial(record) if self.initial else getattr(record, self.name)

    def data_of(self, value: Any) -> dict[str, Any]:
        return {self.service_key: self.convert(value)}


def pk_or_none(value: Any) -> int | None:
    return value.pk if value is not None else None


def shown(editable: Editable, record: Any, url: str) -> dict[str, Any]:
    """What the display fragment needs for one field."""
    text = editable.show(record)
    return {
        "name": editable.name,
        "label": editable.label,
        "text": DASH if text in (None, "") else text,
        "link": editable.link(record) if editable.link else None,
        "url": url,
        "wide": editable.wide,
    }


def field_form(editable: Editable, user: User, data: Any = None, record: Any = None) -> forms.Form:
    form = forms.Form(
        data=data, initial={editable.name: editable.initial_of(record)} if record else None
    )
    form.fields[editable.name] = editable.field(user)
    styled(form)
    return form


def respond(
    request: HttpRequest,
    *,
    record: Any,
    editables: dict[str, Editable],
    name: str,
    url: str,
    save: Callable[[dict[str, Any], int], Any],
) -> HttpResponse:
    """GET: the field shown (or its form with `?edit=1`); POST: save it through `save`."""
    editable = editables.get(name)
    if editable is None:
        raise Http404("No such field.")
    user = user_of(request)
    context: dict[str, Any] = {"field": shown(editable, record, url)}
    if request.method != "POST":
        if request.GET.get("edit"):
            context["form"] = field_form(editable, user, record=record)
            return render(request, "web/inline.html#form", context)
        return render(request, "web/inline.html#display", context)
    form = field_form(editable, user, data=request.POST)
    version = _version(request.POST.get("version"))
    if version is None:
        form.add_error(None, _("Reload the page: the record's version is missing."))
    if version is None or not form.is_valid():
        context["form"] = form
        return render(request, "web/inline.html#form", context, status=422)
    try:
        saved = save(editable.data_of(form.cleaned_data[editable.name]), version)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except VersionConflict as exc:
        context.update(form=form, conflict=error_message(exc))
        return render(request, "web/inline.html#form", context, status=409)
    except DomainError as exc:
        add_errors(form, exc, {editable.service_key: editable.name})
        context["form"] = form
        return render(request, "web/inline.html#form", context, status=exc.status)
    context.update(field=shown(editable, saved, url), version=saved.version, saved=True)
    return render(request, "web/inline.html#display", context)


def _version(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= 2**31 - 1 else None
