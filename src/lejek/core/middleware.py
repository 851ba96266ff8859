"""Refuse text holding the NUL character before any view sees it.

PostgreSQL cannot store or even compare text with U+0000, so a search, filter or
form value holding it would end in a server error there (and work on SQLite).
Query strings and form posts are checked here for pages and API alike; JSON
bodies are checked by the API's body parser.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict

NUL = "\x00"
MESSAGE = "Text may not contain the NUL character (\\u0000)."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _offending(data: QueryDict) -> str | None:
    for key, values in data.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "")
    return None


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _offending(request.GET)
        if field is None and request.method == "POST" and request.content_type in FORM_TYPES:
            field = _offending(request.POST)
        if field is not None:
            if request.path.startswith("/api/"):
                body = {"detail": MESSAGE, "code": "validation_error", "errors": {field: [MESSAGE]}}
                return JsonResponse(body, status=422)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
