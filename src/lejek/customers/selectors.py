"""Reads: customers with their health, contracts, renewal rate and CLV inputs, scoped to
what the user may see (`visible_to`)."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from lejek.accounts.models import User
from lejek.activities.models import Activity
from lejek.contacts.models import Organization
from lejek.customers import metrics, revenue
from lejek.customers.models import Contract, CustomerDeal, DealKind, Referral, Renewal
from lejek.pipelines.models import Deal

CONTACT_KINDS = (Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING)
CUSTOMER_SORTS = {
    "name": "name",
    "customer_since": "customer_since",
    "revenue": "revenue",
    "renewal_date": "renewal_date",
    "last_contact_at": "last_contact_at",
}


def _about(org_ref: Any) -> Q:
    return Q(organization=org_ref) | Q(deal__organization=org_ref)


def customer_queryset(user: User) -> QuerySet[Organization]:
    """Visible customer accounts with health, in a constant number of queries (each figure is a
    correlated subquery). The `revenue` alias only sorts; `revenue.attach_lifetime` sets the
    exact lifetime revenue in the reporting currency on the rows shown."""
    won = (
        Deal.objects.alive()
        .filter(organization=OuterRef("pk"), status=Deal.Status.WON)
        .values("organization")
    )
    activities = Activity.objects.alive().filter(_about(OuterRef("pk"))).values("owner")
    open_renewals = Renewal.objects.filter(
        contract__organization=OuterRef("pk"),
        outcome=Renewal.Outcome.OPEN,
        deal__deleted_at__isnull=True,
    ).values("contract__organization")
    active = (
        Contract.objects.alive()
        .filter(organization=OuterRef("pk"), status=Contract.Status.ACTIVE)
        .values("organization")
    )
    visible: QuerySet[Organization] = Organization.objects.visible_to(user)
    return (
        visible.filter(is_customer=True)
        .select_related("owner")
        # An alias, not a column: computed only when a list is sorted by it.
        .alias(
            revenue=Coalesce(
                revenue.lifetime_for_sorting(OuterRef("pk")),
                Value(Decimal(0)),
                output_field=revenue.RATE,
            )
        )
        .annotate(
            won_deals=Coalesce(
                Subquery(won.annotate(c=Count("pk")).values("c")[:1]),
                Value(0),
                output_field=IntegerField(),
            ),
            open_renewals=Coalesce(
                Subquery(open_renewals.annotate(c=Count("pk")).values("c")[:1]),
                Value(0),
                output_field=IntegerField(),
            ),
            renewal_date=Subquery(active.annotate(m=Min("end_date")).values("m")[:1]),
            last_contact_at=Subquery(
                Activity.objects.alive()
                .filter(_about(OuterRef("pk")), kind__in=CONTACT_KINDS, done_at__isnull=False)
                .order_by("-done_at")
                .values("done_at")[:1]
            ),
            open_tasks=Coalesce(
                Subquery(
                    activities.filter(done_at__isnull=True)
                    .exclude(kind=Activity.Kind.NOTE)
                    .annotate(c=Count("pk"))
                    .values("c")[:1]
                ),
                Value(0),
                output_field=IntegerField(),
            ),
        )
    )


def customer_list(*, user: User, q: str | None = None) -> QuerySet[Organization]:
    qs = customer_queryset(user)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def customer_get(*, user: User, pk: int) -> Organization | None:
    found = customer_queryset(user).filter(pk=pk).first()
    return revenue.attach_lifetime([found])[0] if found is not None else None


def open_tasks_count(org: Organization) -> int:
    return (
        Activity.objects.alive()
        .filter(_about(org.pk), done_at__isnull=True)
        .exclude(kind=Activity.Kind.NOTE)
        .count()
    )


def customer_page(*, user: User, org: Organization) -> dict[str, Any]:
    """Everything the customer page shows besides the account itself."""
    deals = list(
        Deal.objects.visible_to(user)
        .filter(organization=org)
        .select_related("stage", "pipeline", "owner", "customer_link")
        .order_by("-created_at")[:100]
    )
    kinds = {
        d.pk: getattr(getattr(d, "customer_link", None), "kind", DealKind.NEW_BUSINESS)
        for d in deals
    }
    for deal in deals:
        deal.kind = kinds[deal.pk]  # type: ignore[attr-defined]
    contracts = list(
        Contract.objects.alive()
        .filter(organization=org)
        .select_related("deal", "renewal__deal")
        .order_by("-start_date", "-pk")
    )
    referral_leads = list(
        Referral.objects.filter(customer=org)
        .select_related("lead", "referred_by")
        .order_by("-pk")[:50]
    )
    referred = Deal.objects.filter(lead__referral__customer=org).values("pk")
    open_tasks = list(
        Activity.objects.visible_to(user)
        .filter(_about(org.pk), done_at__isnull=True)
        .exclude(kind=Activity.Kind.NOTE)
        .select_related("owner")
        .order_by("due_at", "pk")[:20]
    )
    return {
        "deals": deals,
        "contracts": contracts,
        "revenue_by_kind": revenue.by_kind(revenue.won(organization_id=org.pk)),
        "referrals": referral_leads,
        "referral_revenue": revenue.total(revenue.won(deal_id__in=referred)).money,
        "open_tasks": open_tasks,
    }


def renewal_rate(
    *, user: User, start: datetime.date | None = None, end: datetime.date | None = None
) -> metrics.RenewalRate:
    """Renewals decided in [start, end) among deals the user can see."""
    qs = Renewal.objects.filter(deal__in=Deal.objects.visible_to(user)).exclude(
        outcome=Renewal.Outcome.OPEN
    )
    if start is not None:
        qs = qs.filter(decided_at__date__gte=start)
    if end is not None:
        qs = qs.filter(decided_at__date__lt=end)
    counts = dict(qs.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    return metrics.RenewalRate(
        renewed=counts.get(Renewal.Outcome.RENEWED, 0),
        churned=counts.get(Renewal.Outcome.CHURNED, 0),
    )


def clv_figures(*, user: User) -> list[metrics.CustomerFigures]:
    """CLV inputs per visible customer: since, won revenue, churn day if churned."""
    orgs = list(
        customer_queryset(user)
        .filter(customer_since__isnull=False)
        .annotate(
            churned=Max(
                "contracts__renewal__decided_at",
                filter=Q(contracts__renewal__outcome=Renewal.Outcome.CHURNED),
            ),
            active_contracts=Count(
                "contracts",
                filter=Q(
                    contracts__status=Contract.Status.ACTIVE, contracts__deleted_at__isnull=True
                ),
            ),
        )
        .values("pk", "customer_since", "churned", "active_contracts")
    )
    lifetimes = revenue.lifetime(customer_queryset(user).values("pk"))
    return [
        metrics.CustomerFigures(
            organization_id=o["pk"],
            customer_since=o["customer_since"] or timezone.localdate(),
            revenue=(lifetimes.get(o["pk"]) or revenue.Converted()).money,
            churned_on=(
                timezone.localdate(o["churned"])
                if o["churned"] is not None and not o["active_contracts"]
                else None
            ),
        )
        for o in orgs
    ]


def clv(*, user: User, today: datetime.date | None = None) -> metrics.Clv:
    return metrics.clv(clv_figures(user=user), today or timezone.localdate())


def revenue_by_kind(
    *, user: User, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, Any]:
    """Won revenue of visible deals closed in [start, end), split into new business,
    expansion and renewals in the reporting currency (see `revenue.by_kind`)."""
    qs = revenue.won(deal_id__in=Deal.objects.visible_to(user).values("pk"))
    if start is not None:
        qs = qs.filter(closed_date__gte=start)
    if end is not None:
        qs = qs.filter(closed_date__lt=end)
    return revenue.by_kind(qs)


def expansion_kinds(deal_ids: list[int]) -> dict[int, str]:
    return dict(CustomerDeal.objects.filter(deal_id__in=deal_ids).values_list("deal_id", "kind"))
