"""Refuse text holding the NUL character before an API operation sees it.

PostgreSQL cannot store or even compare text with U+0000, so a search, filter or
field holding it would end in a server error there (and work on SQLite). For the
API, query strings and form posts are checked here and JSON bodies by its body
parser (422, naming the field). Pages go through Django forms, which refuse NUL
per field; the few page views that read the query string directly strip it.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict

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
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        field = _offending(request.GET)
        if field is None and request.method == "POST" and request.content_type in FORM_TYPES:
            field = _offending(request.POST)
        if field is not None:
            body = {"detail": MESSAGE, "code": "validation_error", "errors": {field: [MESSAGE]}}
            return JsonResponse(body, status=422)
        return self.get_response(request)
