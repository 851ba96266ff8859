"""The public booking pages: `/book/<slug>/` lists free slots and takes a booking; no login.

Abuse guards: a honeypot field, a rate limit per client address and page, CSRF on the form.
"""

from collections import defaultdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lejek.accounts.throttle import client_address
from lejek.core.errors import DomainError, TooManyRequests
from lejek.customers import booking, slots
from lejek.customers.models import Booking, BookingPage

POST_FIELDS = ("name", "email", "company", "phone", "note", "slot", booking.HONEYPOT)


def _page(request: HttpRequest, page: BookingPage, status: int = 200, **extra: Any) -> HttpResponse:
    days: dict[Any, list[Any]] = defaultdict(list)
    for start in slots.page_slots(page, timezone.now()):
        days[start.date()].append(start)
    context = {
        "page": page,
        "days": sorted(days.items()),
        "values": extra.pop("values", {}),
        "errors": extra.pop("errors", {}),
        "honeypot": booking.HONEYPOT,
        "host": page.user.display_name if page.user else (page.team.name if page.team else ""),
        **extra,
    }
    return render(request, "customers/booking_public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def booking_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(
        BookingPage.objects.select_related("user", "team", "stage"), slug=slug, is_active=True
    )
    if request.method == "GET":
        return _page(request, page)
    posted = {k: request.POST.get(k, "") for k in POST_FIELDS}
    try:
        made = booking.submit(page=page, posted=posted, address=client_address(request))
    except DomainError as exc:
        response = _page(
            request, page, status=exc.status, values=posted, errors=exc.fields, error=exc.message
        )
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response
    return redirect("booking:done", token=made.token)


def _booking(token: str) -> Booking:
    found = Booking.objects.select_related("page", "rep", "meeting").filter(token=token).first()
    if found is None:
        raise Http404("No such booking.")
    return found


def booking_done(request: HttpRequest, token: str) -> HttpResponse:
    made = _booking(token)
    return render(request, "customers/booking_done.html", {"booking": made})


def booking_ics(request: HttpRequest, token: str) -> HttpResponse:
    made = _booking(token)
    if made.meeting is None:
        raise Http404("No meeting.")
    response = HttpResponse(booking.invitation(made), content_type="text/calendar; method=REQUEST")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response
