"""What every list page shares: filters, sort, search, pages, saved views, bulk actions, export.

A list is described once by a `ListSpec` (its filter form, its selector, the sort
allowlist, columns, export columns and bulk actions); `list_view` does the rest.
Pages are read without COUNT(*): one extra row says whether a next page exists.
Bulk actions run the same services as single edits, row by row inside one
transaction: if any row fails, nothing is changed and every failure is reported.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lejek.accounts.models import User
from lejek.core import listing, tags
from lejek.core.errors import DomainError, ValidationFailed
from lejek.dataio import exports
from lejek.web.forms import TRANSIENT_KEYS, styled
from lejek.web.http import error_message, user_of
from lejek.web.models import MAX_QUERY_LENGTH, SavedView

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000
# A bulk action acts on the rows selected on one page.
MAX_BULK = max(PAGE_SIZES)
# A workbook is built in memory; past this, CSV (streamed) is the way out.
MAX_XLSX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    """A table column; `sort` names its key in the list's sort allowlist."""

    label: Any
    sort: str | None = None
    css: str = ""


@dataclass(frozen=True)
class ExportColumn:
    label: Any
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class BulkAction:
    """A change applied to every selected row through a service: `apply(actor, row, params)`."""

    name: str
    label: Any
    form: Callable[..., forms.Form]
    apply: Callable[[User, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: Any
    template: str
    filter_form: type["FilterForm"]
    queryset: Callable[[User, dict[str, Any]], QuerySet[Any]]
    sorts: dict[str, str]
    default_sort: str
    columns: Sequence[Column]
    export: Sequence[ExportColumn]
    bulk: Sequence[BulkAction] = ()
    create_url: str = ""
    extra_context: Callable[[User], dict[str, Any]] = field(default=lambda user: {})


class FilterForm(forms.Form):
    """Search, sort and page of a list; subclasses add their own filters."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Search…")}),
    )
    tag = forms.CharField(
        required=False,
        max_length=tags.MAX_NAME,
        label=gettext_lazy("Tag"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Tag")}),
    )
    sort = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )
    page_size = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, n) for n in PAGE_SIZES],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, user: User, spec: ListSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.spec = spec
        styled(self)

    def clean_sort(self) -> list[str]:
        try:
            return listing.order_by(
                self.spec.sorts, self.cleaned_data.get("sort"), self.spec.default_sort
            )
        except ValidationFailed as exc:
            raise forms.ValidationError(_("This list cannot be sorted that way.")) from exc

    def filter_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name != "q"]


def owner_choices(user: User) -> QuerySet[User]:
    """Users `user` may filter by and assign to: self, the team for managers, all for admins."""
    qs = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    if user.is_admin:
        return qs
    if user.is_manager and user.team_id:
        return qs.filter(team_id=user.team_id) | qs.filter(pk=user.pk)
    return qs.filter(pk=user.pk)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignOwnerForm(forms.Form):
    owner = OwnerChoiceField(queryset=User.objects.none(), label=gettext_lazy("New owner"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]
        styled(self)


def assign_owner(update: Callable[..., Any], record_arg: str) -> BulkAction:
    """The "assign owner" action over a service `update(actor=, <record_arg>=, data=, version=)`."""

    def apply(actor: User, row: Any, params: dict[str, Any]) -> Any:
        data = {"owner_id": params["owner"].pk}
        return update(actor=actor, **{record_arg: row}, data=data, version=row.version)

    return BulkAction("assign_owner", gettext_lazy("Assign owner"), AssignOwnerForm, apply)


class AddTagForm(forms.Form):
    tag = forms.CharField(max_length=tags.MAX_NAME, label=gettext_lazy("Tag"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


def add_tag() -> BulkAction:
    """The "add tag" action: any record kind; a record that has the tag already is left as is."""

    def apply(actor: User, row: Any, params: dict[str, Any]) -> Any:
        return tags.add(actor=actor, instance=row, name=params["tag"])

    return BulkAction("add_tag", gettext_lazy("Add tag"), AddTagForm, apply)


def list_view(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    """GET: the page, a fragment of it, or an export; POST: a bulk action."""
    if request.method == "POST":
        return _bulk(request, spec)
    export = request.GET.get("export")
    if export in exports.FORMATS:
        return _export(request, spec, export)
    return render_page(request, spec, request.GET)


def render_page(
    request: HttpRequest,
    spec: ListSpec,
    params: QueryDict,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    form = spec.filter_form(params, user=user, spec=spec)
    rows: list[Any] = []
    has_next = False
    page, size = 1, DEFAULT_PAGE_SIZE
    if form.is_valid():
        page = form.cleaned_data["page"] or 1
        size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
        qs = _rows(spec, user, form.cleaned_data).order_by(*form.cleaned_data["sort"])
        start = (page - 1) * size
        rows = list(qs[start : start + size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        if rows:
            names = tags.names_by_id(rows[0]._meta.model_name, [row.pk for row in rows])
            for row in rows:
                row.tag_names = names.get(row.pk, [])
    else:
        status = 422
    query = _saved_query(params)
    context = {
        "spec": spec,
        "form": form,
        "rows": rows,
        "page": page,
        "page_size": size,
        "page_sizes": PAGE_SIZES,
        "first_index": (page - 1) * size + 1,
        "last_index": (page - 1) * size + len(rows),
        "has_next": has_next,
        "headers": _headers(spec, params),
        "params": params,
        "query": query,
        "selected": set(),
        "saved_views": SavedView.objects.filter(user=user, list_name=spec.name),
        "bulk_actions": [
            {"action": a, "form": a.form(user=user, prefix=a.name, use_required_attribute=False)}
            for a in spec.bulk
        ],
        **spec.extra_context(user),
        **(extra or {}),
    }
    return render(request, spec.template, context, status=status)


def _rows(spec: ListSpec, user: User, cleaned: dict[str, Any]) -> QuerySet[Any]:
    """The list's records for these filters, the tag filter (common to every list) included."""
    qs = spec.queryset(user, cleaned)
    if cleaned.get("tag"):
        qs = tags.tagged(qs, cleaned["tag"])
    return qs


def _headers(spec: ListSpec, params: QueryDict) -> list[dict[str, Any]]:
    """Column headers with the sort each click asks for: ascending first, then descending."""
    current = (params.get("sort") or spec.default_sort).split(",")[0].strip()
    key, descending = current.removeprefix("-"), current.startswith("-")
    headers = []
    for column in spec.columns:
        header: dict[str, Any] = {"column": column, "sort": None, "direction": None}
        if column.sort:
            active = column.sort == key
            header["direction"] = ("desc" if descending else "asc") if active else None
            next_desc = active and not descending
            header["sort"] = ("-" if next_desc else "") + column.sort
        headers.append(header)
    return headers


def _saved_query(params: QueryDict) -> str:
    """The list's state as a saved view keeps it: no page, no export, no empty fields."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in TRANSIENT_KEYS:
            kept.setlist(key, [v for v in values if v])
    return kept.urlencode()[:MAX_QUERY_LENGTH]


def _export(request: HttpRequest, spec: ListSpec, fmt: str) -> HttpResponse:
    user = user_of(request)
    form = spec.filter_form(request.GET, user=user, spec=spec)
    if not form.is_valid():
        return render_page(request, spec, request.GET)
    qs = _rows(spec, user, form.cleaned_data).order_by(*form.cleaned_data["sort"])
    if fmt == "xlsx" and qs[MAX_XLSX_ROWS : MAX_XLSX_ROWS + 1].exists():
        messages.error(
            request,
            _("More than %(count)s rows: narrow the filters or export CSV instead.")
            % {"count": f"{MAX_XLSX_ROWS:,}"},
        )
        params = request.GET.copy()
        params.pop("export", None)
        return HttpResponseRedirect(f"{request.path}?{params.urlencode()}", status=303)
    header = [str(column.label) for column in spec.export]
    rows = ([column.value(row) for column in spec.export] for row in qs.iterator(chunk_size=2000))
    filename = f"{spec.name}-{timezone.localdate().isoformat()}"
    return exports.export_response(fmt, filename, header, rows)  # type: ignore[return-value]


def _bulk(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    user = user_of(request)
    params = QueryDict(request.POST.get("query", "")[:MAX_QUERY_LENGTH])
    actions = {a.name: a for a in spec.bulk}
    action = actions.get(request.POST.get("action", ""))
    ids = _ids(request.POST.getlist("ids"))
    problems: list[str] = []
    if action is None:
        problems.append(_("Choose an action."))
    if not ids:
        problems.append(_("Select at least one row."))
    elif len(ids) > MAX_BULK:
        problems.append(_("Select at most %(count)d rows at a time.") % {"count": MAX_BULK})
    form = action.form(request.POST, user=user, prefix=action.name) if action else None
    if form is not None and not form.is_valid():
        problems.extend(str(e) for errors in form.errors.values() for e in errors)
    if problems or action is None or form is None:
        return _bulk_failed(request, spec, params, ids, problems, [])
    failures = _apply(user, spec, action, ids, form.cleaned_data)
    if failures:
        return _bulk_failed(request, spec, params, ids, [], failures)
    messages.success(
        request,
        ngettext(
            "%(action)s: %(count)d record changed.",
            "%(action)s: %(count)d records changed.",
            len(ids),
        )
        % {"action": action.label, "count": len(ids)},
    )
    location = request.path + (f"?{params.urlencode()}" if params else "")
    return HttpResponseRedirect(location, status=303)


def _ids(values: list[str]) -> list[int]:
    ids = [int(v) for v in values if v.isdigit() and 0 < len(v) <= 18]
    return list(dict.fromkeys(ids))


def _apply(
    user: User, spec: ListSpec, action: BulkAction, ids: list[int], params: dict[str, Any]
) -> list[dict[str, str]]:
    """Run `action` on every row in one transaction; any failure rolls every row back."""
    failures: list[dict[str, str]] = []
    with transaction.atomic():
        found = spec.queryset(user, {}).in_bulk(ids)
        for pk in ids:
            row = found.get(pk)
            if row is None:
                failures.append({"record": f"#{pk}", "message": _("Not found.")})
                continue
            try:
                with transaction.atomic():
                    action.apply(user, row, params)
            except DomainError as exc:
                failures.append({"record": str(row), "message": error_message(exc)})
        if failures:
            transaction.set_rollback(True)
    return failures


def _bulk_failed(
    request: HttpRequest,
    spec: ListSpec,
    params: QueryDict,
    ids: list[int],
    problems: list[str],
    failures: list[dict[str, str]],
) -> HttpResponse:
    extra = {"bulk_problems": problems, "bulk_failures": failures, "selected": set(ids)}
    return render_page(request, spec, params, extra=extra, status=422)
