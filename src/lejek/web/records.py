"""The four kinds of record a page can show, and the URL of each one's page."""

from functools import cache

from django.urls import NoReverseMatch, reverse

DETAIL_URLS = {
    "deal": "pipelines:deal-detail",
    "lead": "leads:lead-detail",
    "person": "contacts:person-detail",
    "organization": "contacts:organization-detail",
}


@cache
def _has_page(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def url(kind: str, pk: object) -> str | None:
    """The record's page, or None when the app has no page for that kind."""
    name = DETAIL_URLS.get(kind)
    if name is None or pk is None or not _has_page(name):
        return None
    return reverse(name, args=[pk])
