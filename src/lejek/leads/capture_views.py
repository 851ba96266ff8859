"""The public end of a web form: `/f/<slug>/` shows a plain form and takes submissions.

Sites usually post their own form here (form-encoded or JSON). JSON requests get JSON
answers: 201 with the lead id, 422 with a message per field, 400 for a filled honeypot,
403 for a wrong secret or a closed form, 413 for an oversized body, 429 with Retry-After.
Browsers posting the form get the page again with the messages, or the thank-you page.
"""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lejek.accounts.throttle import client_address
from lejek.core.errors import DomainError, TooManyRequests
from lejek.leads import capture
from lejek.leads.models import WebForm


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _posted(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise capture.Rejected(
                "The body is not valid JSON.", fields={"__all__": ["Send a JSON object."]}
            ) from None
        if not isinstance(data, dict):
            raise capture.Rejected(
                "The body must be a JSON object.", fields={"__all__": ["Send a JSON object."]}
            )
        return data
    return {k: request.POST.get(k, "") for k in request.POST}


def _page(request: HttpRequest, form: WebForm, status: int = 200, **extra: Any) -> HttpResponse:
    values: dict[str, Any] = extra.pop("values", {})
    errors: dict[str, list[str]] = extra.get("errors", {})
    rows = [
        {
            "name": name,
            "long": target in ("need", "pain_points"),
            "type": "email" if target == "email" else "text",
            "required": name in form.required,
            "value": values.get(name, ""),
            "errors": errors.get(name, []),
        }
        for name, target in form.fields.items()
    ]
    context = {"form": form, "rows": rows, **extra}
    return render(request, "leads/webform_public.html", context, status=status)


def _answer(request: HttpRequest, form: WebForm, exc: DomainError) -> HttpResponse:
    response: HttpResponse
    if _wants_json(request):
        body = {"detail": exc.message, "code": exc.code, "errors": exc.fields or {}}
        response = JsonResponse(body, status=exc.status)
    else:
        values = {k: request.POST.get(k, "") for k in form.fields}
        response = _page(
            request, form, exc.status, error=exc.message, errors=exc.fields or {}, values=values
        )
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    form = WebForm.objects.filter(slug=slug, is_active=True).select_related("default_owner").first()
    if form is None:
        raise Http404
    if request.method == "GET":
        return _page(request, form)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > capture.MAX_BODY:
        message = f"The submission is larger than {capture.MAX_BODY // 1024} KB."
        if _wants_json(request):
            return JsonResponse({"detail": message, "code": "too_large", "errors": {}}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain")
    try:
        lead = capture.submit(form=form, posted=_posted(request), address=client_address(request))
    except DomainError as exc:
        return _answer(request, form, exc)
    if _wants_json(request):
        return JsonResponse({"id": lead.pk, "detail": "Thank you."}, status=201)
    if form.thank_you:
        return redirect(form.thank_you)
    return _page(request, form, 201, done=True)
