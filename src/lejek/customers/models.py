"""After the sale and before the meeting: contracts, renewals, onboarding, the kind of each
customer deal (new business, renewal, expansion), referrals, and the public booking pages."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lejek.accounts.models import Team
from lejek.activities.models import Activity
from lejek.contacts.models import Organization, Person
from lejek.core.models import OwnedRecord
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Stage


class DealKind(models.TextChoices):
    NEW_BUSINESS = "new", "New business"
    RENEWAL = "renewal", "Renewal"
    EXPANSION = "expansion", "Expansion"


class CustomerDeal(models.Model):
    """What a deal is to its customer: new business, a renewal or an expansion (upsell or
    cross-sell). Deals without a row are new business."""

    Kind = DealKind

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="customer_link")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEW_BUSINESS)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="customer_deals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization", "kind"], name="custdeal_org_kind")]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.kind}"


class Contract(OwnedRecord):
    """A contract signed with a won deal: its term, its value and how it renews."""

    class RenewalTerms(models.TextChoices):
        MANUAL = "manual", "Renewed by a new agreement"
        AUTO = "auto", "Renews automatically unless cancelled"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RENEWED = "renewed", "Renewed"
        CHURNED = "churned", "Churned"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contracts"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contracts")
    start_date = models.DateField()
    end_date = models.DateField()
    term_years = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    renewal_terms = models.CharField(
        max_length=10, choices=RenewalTerms.choices, default=RenewalTerms.MANUAL
    )
    # The renewal deal is opened this many days before the end.
    notice_days = models.PositiveIntegerField(default=60)
    # end_date − notice_days, kept by the services so the daily task finds due contracts by index.
    renew_on = models.DateField()
    notes = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["status", "renew_on"], name="contract_status_renew"),
            models.Index(fields=["organization", "end_date"], name="contract_org_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="contract_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.start_date}–{self.end_date}"

    @property
    def annual_amount(self) -> Decimal | None:
        """ACV: the amount over the term in years (SPEC: 1 when unknown)."""
        if self.amount is None:
            return None
        years = Decimal(self.term_years or 1)
        return (Decimal(self.amount) / years).quantize(Decimal("0.01"))


class Renewal(models.Model):
    """The renewal of one contract: the deal opened for it and how it ended. Feeds the
    renewal rate and the customer lifetime (CLV)."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        RENEWED = "renewed", "Renewed"
        CHURNED = "churned", "Churned"

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="renewal")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="renewal_of")
    created_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    next_contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["outcome", "decided_at"], name="renewal_outcome_at")]

    def __str__(self) -> str:
        return f"renewal of contract {self.contract_id}: {self.outcome}"


class Onboarding(models.Model):
    """The post-sale plan started when a new-business deal was won (once per deal)."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="onboarding")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField()
    tasks = models.ManyToManyField(Activity, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"onboarding of deal {self.deal_id}"


class Referral(models.Model):
    """A lead (and the deals it became) referred by an existing customer."""

    customer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="referrals")
    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="referral")
    referred_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lead {self.lead_id} referred by {self.customer_id}"


class WorkingHours(models.Model):
    """One span of a rep's working week (several per day are allowed: a lunch break)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField()  # Monday 0 … Sunday 6
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["user_id", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.weekday} {self.start}–{self.end}"


class BookingPage(models.Model):
    """A public page where prospects book a meeting with one rep or, in turn, a team."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking_pages",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="booking_pages"
    )
    duration_minutes = models.PositiveIntegerField(default=30)
    # A booking moves the prospect's deal (or a new one) to this stage, starting its SOP.
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    horizon_days = models.PositiveIntegerField(default=14)
    min_notice_minutes = models.PositiveIntegerField(default=120)
    per_hour = models.PositiveIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="bookingpage_user_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.title


def _token() -> str:
    return secrets.token_urlsafe(16)


class Booking(models.Model):
    """One booked slot. At most one booking per rep and start time (the database says so)."""

    page = models.ForeignKey(BookingPage, on_delete=models.CASCADE, related_name="bookings")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    name = models.CharField(max_length=200)
    email = models.EmailField()
    company = models.CharField(max_length=200, blank=True, default="")
    meeting = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True, default=_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "start_at"], name="booking_rep_start_unique")
        ]
        indexes = [models.Index(fields=["rep", "start_at", "end_at"], name="booking_rep_span")]

    def __str__(self) -> str:
        return f"{self.name} with {self.rep_id} at {self.start_at}"


class BookingAttempt(models.Model):
    """Every post to a booking page, by hashed client address: the rate limit reads these."""

    class Outcome(models.TextChoices):
        BOOKED = "booked", "Booked"
        REJECTED = "rejected", "Rejected"
        LIMITED = "limited", "Rate limited"

    page = models.ForeignKey(BookingPage, on_delete=models.CASCADE, related_name="attempts")
    client = models.CharField(max_length=64)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["page", "client", "at"], name="bookattempt_client_at")]

    def __str__(self) -> str:
        return f"{self.page_id} {self.outcome}"
