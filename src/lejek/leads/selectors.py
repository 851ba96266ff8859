"""Reads of leads, scoped to what the user may see."""

from typing import Any

from django.db.models import Q, QuerySet

from lejek.accounts import access
from lejek.accounts.models import User
from lejek.leads.models import Lead

LEAD_SORTS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "score": "score",
    "last_name": "last_name",
    "company_name": "company_name",
    "status": "status",
}
# More words than this in a search adds cost without narrowing anything useful.
MAX_SEARCH_WORDS = 5


def lead_list(*, user: User, filters: Any) -> QuerySet[Lead]:
    """Visible leads matching `filters` (a LeadFilters or anything with the same attributes)."""
    qs = Lead.objects.visible_to(user).select_related("owner")
    # Every word must match somewhere, so "Jan Acme" finds Jan at Acme.
    for word in (filters.q or "").split()[:MAX_SEARCH_WORDS]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(company_name__icontains=word)
            | Q(company_domain__icontains=word)
        )
    statuses = [s for s in (filters.status or "").split(",") if s]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.campaign:
        qs = qs.filter(campaign__iexact=filters.campaign.strip())
    if filters.created_from is not None:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to is not None:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    if filters.min_score is not None:
        qs = qs.filter(score__gte=filters.min_score)
    return qs


def lead_detail(*, user: User, pk: int) -> Lead:
    """A visible lead with its owner, else NotFound."""
    return access.visible_or_404(Lead.objects.select_related("owner"), user=user, pk=pk)
