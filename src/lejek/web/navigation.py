"""The main navigation: one list of (label, url name, icon); pages not yet built are skipped."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ENTRIES = (
    (_("My day"), "activities:my-day", "bi-calendar-check"),
    (_("Board"), "pipelines:board-default", "bi-kanban"),
    (_("Deals"), "pipelines:deal-list", "bi-briefcase"),
    (_("Leads"), "leads:lead-list", "bi-person-plus"),
    (_("People"), "contacts:person-list", "bi-people"),
    (_("Organizations"), "contacts:organization-list", "bi-building"),
    (_("Customers"), "customers:customer-list", "bi-award"),
    (_("Activities"), "activities:activity-list", "bi-list-check"),
    (_("Dashboard"), "analytics:dashboard", "bi-graph-up"),
    (_("Forecast"), "forecasting:forecast", "bi-graph-up-arrow"),
    (_("Sales ops"), "salesops:scorecard", "bi-trophy"),
)
# Configuration, reached from the user menu so the main bar stays one line at 1280 px.
SETTINGS = (
    (_("Pipelines"), "pipelines:pipeline-list", "bi-diagram-3"),
    (_("Scoring rules"), "scoring:rule-list", "bi-speedometer2"),
    (_("Lead capture and routing"), "leads:flow-settings", "bi-signpost-split"),
    (_("Booking pages"), "customers:booking-settings", "bi-calendar2-week"),
    (_("Import"), "dataio:imports", "bi-upload"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"navigation": []}
    links: list[dict[str, Any]] = []
    for label, name, icon in ENTRIES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"label": label, "url": url, "icon": icon, "active": False})
    # The longest matching address wins: /activities/my-day/ is "My day", not "Activities".
    matching = [
        link for link in links if request.path.startswith(link["url"]) and link["url"] != "/"
    ]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    return {"navigation": links}
