"""Leads: people or companies not yet qualified into a deal."""

from django.db import models
from django.db.models.functions import Lower

from lejek.core.models import OwnedRecord


class Source(models.TextChoices):
    """Where a lead or deal came from (seed 003: segment leads by source)."""

    CAMPAIGN = "campaign", "Campaign"
    WEB_FORM = "web_form", "Web form"
    EVENT = "event", "Event"
    REFERRAL = "referral", "Referral"
    IMPORT = "import", "Import"
    API = "api", "API"
    OUTBOUND = "outbound", "Outbound prospecting"
    INBOUND_CALL = "inbound_call", "Inbound call"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    WORKING = "working", "Working"
    NURTURING = "nurturing", "Nurturing"
    MQL = "mql", "Marketing qualified (MQL)"
    SQL = "sql", "Sales qualified (SQL)"
    DISQUALIFIED = "disqualified", "Disqualified"
    CONVERTED = "converted", "Converted"


class Lead(OwnedRecord):
    """A lead with its source, qualification fields (seed 004) and status."""

    Status = LeadStatus

    class Authority(models.TextChoices):
        UNKNOWN = "", "Unknown"
        DECISION_MAKER = "decision_maker", "Decision maker"
        INFLUENCER = "influencer", "Influencer"
        NONE = "none", "No authority"

    title = models.CharField(max_length=200, blank=True, default="")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    job_title = models.CharField(max_length=150, blank=True, default="")
    company_name = models.CharField(max_length=200, blank=True, default="")
    company_domain = models.CharField(max_length=200, blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")

    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    campaign = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    disqualified_reason = models.CharField(max_length=200, blank=True, default="")

    # Qualification (seed 004): budget, authority, need, timeline, size, pain points.
    budget = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, blank=True, default="")
    budget_confirmed = models.BooleanField(default=False)
    authority = models.CharField(
        max_length=20, choices=Authority.choices, blank=True, default=Authority.UNKNOWN
    )
    need = models.TextField(blank=True, default="")
    timeline = models.CharField(max_length=200, blank=True, default="")
    company_size = models.PositiveIntegerField(null=True, blank=True)
    pain_points = models.TextField(blank=True, default="")

    score = models.IntegerField(default=0)
    first_outbound_at = models.DateTimeField(null=True, blank=True)
    qualified_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    next_activity_at = models.DateTimeField(null=True, blank=True)

    # Conversion: the person, organization and deal the lead became.
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "contacts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A duplicate merged into another lead is soft-deleted and points at the one it joined.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_leads"
    )
    routed_by = models.ForeignKey(
        "leads.RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
            models.Index(fields=["created_at", "id"], name="lead_created_id"),
            models.Index(Lower("last_name"), name="lead_last_name_lower"),
            models.Index(Lower("company_name"), name="lead_company_lower"),
            models.Index(fields=["status", "created_at"], name="lead_status_created"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["company_domain"], name="lead_company_domain"),
            models.Index(fields=["source", "created_at"], name="lead_source_created"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return self.title or person or self.company_name or self.email or f"Lead {self.pk}"

    @property
    def response_time_seconds(self) -> float | None:
        """Lead response time (seed 002): first outbound touch minus creation."""
        if self.first_outbound_at is None:
            return None
        return (self.first_outbound_at - self.created_at).total_seconds()
