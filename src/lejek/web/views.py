"""The page shell: home, global search, saved views, language, password, health check."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from lejek.accounts import throttle
from lejek.core.errors import TooManyRequests
from lejek.web import search as global_search
from lejek.web.forms import SavedViewForm
from lejek.web.http import user_of
from lejek.web.models import Preference, SavedView


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A rep starts the day with what is due: home is "my day"."""
    return redirect("activities:my-day")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    hits = global_search.search(user_of(request), text)
    groups = [
        {"kind": kind, "label": KIND_LABELS[kind], "hits": found}
        for kind, found in hits.items()
        if found
    ]
    context = {"groups": groups, "q": text, "searched": bool(hits)}
    return render(request, "web/search.html", context)


KIND_LABELS = {
    "person": gettext_lazy("People"),
    "organization": gettext_lazy("Organizations"),
    "deal": gettext_lazy("Deals"),
    "lead": gettext_lazy("Leads"),
}


@login_required
@require_GET
def pick_organization(request: HttpRequest) -> HttpResponse:
    """Options for an organization picker: the ones whose name starts with `q`."""
    text = global_search.cleaned(request.GET.get("organization_q", ""))
    found = global_search.organizations(user_of(request), text) if text else []
    return render(request, "web/pick.html", {"options": found, "q": text})


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    back = _next_url(request, reverse("web:home"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(back, status=303)
    data = form.cleaned_data
    view, created = SavedView.objects.update_or_create(
        user=user_of(request),
        list_name=data["list_name"],
        name=data["name"],
        defaults={"query": data["query"]},
    )
    text = _("View “%(name)s” saved.") if created else _("View “%(name)s” updated.")
    messages.success(request, text % {"name": view.name})
    path = back.split("?", 1)[0]
    return HttpResponseRedirect(f"{path}?{view.query}" if view.query else path, status=303)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = SavedView.objects.filter(pk=view_id, user=user_of(request)).first()
    if view is None:
        raise Http404("No such view.")
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return HttpResponseRedirect(_next_url(request, reverse("web:home")), status=303)


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice for every log-in."""
    response = set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES):
        Preference.objects.update_or_create(
            user=user, defaults={"language": code, "updated_at": timezone.now()}
        )
    return response


class LoginView(auth_views.LoginView):
    """Log-in, throttled per account name and per address (see accounts.throttle).

    A wrong password and an unknown name get the same message; both count.
    """

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        try:
            throttle.check_login(username, throttle.client_address(request))
        except TooManyRequests as exc:
            # An unbound form: validating the posted one would check the password after all.
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, throttled=exc.message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if username:
            throttle.record_login_failure(username, throttle.client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.clear_login_failures(form.get_user().get_username())
        response = super().form_valid(form)
        preference = Preference.objects.filter(user=form.get_user()).first()
        if preference and preference.language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                preference.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:home")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)


def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
