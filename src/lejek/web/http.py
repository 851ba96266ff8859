"""How pages answer: domain errors as 4xx pages or htmx fragments, never a 500."""

import functools
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lejek.accounts.models import User
from lejek.core.errors import DomainError, Forbidden, NotFound, VersionConflict


def user_of(request: HttpRequest) -> User:
    """The signed-in user (views are behind login_required, so never anonymous)."""
    return cast(User, request.user)


def error_message(exc: DomainError) -> str:
    if isinstance(exc, VersionConflict):
        return _(
            "This record was changed by someone else. "
            "Reload the page to see the current values, then apply your change again."
        )
    # Services speak English; the messages users meet most have translations in the catalogs.
    return _(exc.message)


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A 4xx answer for a failed action: an alert fragment for htmx, else a full page."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    context = {"message": error_message(exc), "status": exc.status, "fields": exc.fields}
    template = "web/error.html#alert" if request.htmx else "web/error.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=exc.status)


def domain_errors[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Let a view raise DomainError: NotFound becomes 404, the rest its own 4xx answer."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            request = cast(HttpRequest, args[0])
            return error_response(request, exc)

    return wrapper


def add_errors(form: forms.Form, exc: DomainError, names: dict[str, str] | None = None) -> None:
    """Put a service's per-field errors on the form fields they belong to.

    `names` maps service field names (`organization_id`) to form field names
    (`organization`); errors on fields the form does not have go to the whole form.
    """
    names = names or {}
    if isinstance(exc, VersionConflict) or not exc.fields:
        form.add_error(None, error_message(exc))
        return
    for name, messages in exc.fields.items():
        target = names.get(name, name)
        field: str | None = target if target in form.fields else None
        for message in messages:
            form.add_error(field, _(message))


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required, then managers and admins only; Forbidden and NotFound from the
    services become 403 and 404 pages (settings pages: rules, forms, routing)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(User, request.user)
        if not (user.is_admin or user.is_manager):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped
