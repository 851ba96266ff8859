"""The tags of one record on its page: shown, added and removed in place (htmx)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lejek.core import tags
from lejek.core.errors import DomainError
from lejek.core.tag_targets import KINDS, model_of
from lejek.web.http import error_message, user_of


@login_required
@require_http_methods(["GET", "POST"])
def record_tags(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    user = user_of(request)
    record = model_of(kind).objects.visible_to(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        name = request.POST.get("tag", "")
        try:
            if request.POST.get("remove"):
                tags.remove(actor=user, instance=record, name=name)
            else:
                tags.add(actor=user, instance=record, name=name)
        except DomainError as exc:
            error, status = error_message(exc), 422
    context = {"kind": kind, "record": record, "names": tags.names_of(record), "error": error}
    return render(request, "web/tags.html", context, status=status)
