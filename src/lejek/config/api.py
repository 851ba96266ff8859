"""The one NinjaAPI: routers per app, errors mapped to clear 4xx bodies."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from lejek.accounts.auth import api_auth
from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.core.errors import DomainError, TooManyRequests
from lejek.core.middleware import MESSAGE

NUL_MESSAGE = MESSAGE  # query strings are checked by RejectNulMiddleware


def has_nul(value: Any) -> bool:
    """Whether any text in a parsed JSON value holds U+0000, which PostgreSQL cannot store."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects. Anything else is refused before the schemas see it:
    Ninja's schemas read attributes, so a bare string such as "AAA" would otherwise pass
    as an object whose fields all have defaults. Text holding NUL is refused everywhere."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict) or has_nul(data):
            raise ValueError("the request body must be a JSON object without NUL characters")
        return data


api = NinjaAPI(
    title="Lejek API",
    parser=ObjectBodyParser(),
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
    openapi_url="/openapi.json",
    description=(
        "The Lejek CRM API. Authenticate with `Authorization: Bearer <token>` "
        "(create a token at POST /api/v1/auth/tokens) or a browser session. "
        "Errors carry `detail`, a `code` and, for invalid fields, `errors`: {field: [messages]}."
    ),
)


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie"}:
        parts = parts[1:]
    # Ninja nests a body schema under its parameter name; drop that wrapper.
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        errors.setdefault(_field_name(list(error.get("loc", []))), []).append(message)
    body = {"detail": "Some fields are invalid.", "code": "validation_error", "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "detail": "Authentication required: send a bearer token or log in.",
        "code": "unauthenticated",
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message, status = str(exc.message), exc.status_code
    if message.startswith("Cannot parse request body"):
        try:
            data = json.loads(request.body)
        except ValueError:
            message = "The request body is not valid JSON."
        else:  # JSON, but refused by ObjectBodyParser
            problem = NUL_MESSAGE if has_nul(data) else "The request body must be a JSON object."
            body = {"detail": problem, "code": "validation_error", "errors": {"body": [problem]}}
            return api.create_response(request, body, status=422)
    body = {"detail": message, "code": "error"}
    return api.create_response(request, body, status=status)


@csrf_exempt  # answers 404 to every method; nothing here reads or writes
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/ (a malformed id, an unknown path): JSON, not a page."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def register_routers() -> None:
    from lejek.accounts.api import router as accounts_router
    from lejek.activities.api import router as activities_router
    from lejek.activities.api import timeline_router
    from lejek.analytics.api import router as analytics_router
    from lejek.automation.api import router as automation_router
    from lejek.contacts.api import organizations_router, people_router
    from lejek.core.api import router as tags_router
    from lejek.customers.api import router as customers_router
    from lejek.dataio.api import router as imports_router
    from lejek.forecasting.api import router as forecasting_router
    from lejek.leads.api import router as leads_router
    from lejek.leads.flow_api import forms_router, routing_router
    from lejek.leads.flow_api import leads_router as lead_flow_router
    from lejek.pipelines.api import deals_router, pipelines_router
    from lejek.salesops.api import router as salesops_router
    from lejek.scoring.api import router as scoring_router

    api.add_router("/auth", accounts_router)
    api.add_router("/organizations", organizations_router)
    api.add_router("/people", people_router)
    api.add_router("/leads", leads_router)
    api.add_router("/pipelines", pipelines_router)
    api.add_router("/deals", deals_router)
    api.add_router("/activities", activities_router)
    api.add_router("", timeline_router)
    api.add_router("/analytics", analytics_router)
    api.add_router("/automation", automation_router)
    api.add_router("/tags", tags_router)
    api.add_router("/forecasts", forecasting_router)
    api.add_router("/imports", imports_router)
    api.add_router("/leads", lead_flow_router)
    api.add_router("/web-forms", forms_router)
    api.add_router("/lead-routing", routing_router)
    api.add_router("/salesops", salesops_router)
    api.add_router("/customers", customers_router)
    api.add_router("", scoring_router)


register_routers()
