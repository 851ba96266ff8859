"""Public web forms: each maps its own field names to lead fields."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from lejek.leads.models.lead import Source


class WebForm(models.Model):
    """A form on the company's site posting to `/f/<slug>/`.

    `fields` maps the form's field names to lead fields (`{"company": "company_name"}`);
    `required` lists form field names that must be filled. A filled `honeypot` field (hidden
    from people, filled by bots) is refused, as is a wrong `secret` when one is set, and more
    than `per_hour` submissions from one address within an hour.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    fields = models.JSONField(default=dict)
    required = models.JSONField(default=list, blank=True)
    honeypot = models.CharField(max_length=60, blank=True, default="website")
    secret = models.CharField(max_length=120, blank=True, default="")
    per_hour = models.PositiveIntegerField(default=20)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB_FORM)
    campaign = models.CharField(max_length=200, blank=True, default="")
    # Who gets the leads when no routing rule matches.
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thank_you = models.CharField(max_length=500, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SubmissionOutcome(models.TextChoices):
    CREATED = "created", "Lead created"
    REJECTED = "rejected", "Rejected"
    LIMITED = "limited", "Rate limited"


class WebFormSubmission(models.Model):
    """Every submission, accepted or not: what the rate limit counts and what was refused."""

    Outcome = SubmissionOutcome

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    # A keyed hash of the sender's address: counts per address without storing it.
    client = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=SubmissionOutcome.choices)
    reason = models.CharField(max_length=300, blank=True, default="")
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["form", "client", "at"], name="submission_client_at")]

    def __str__(self) -> str:
        return f"{self.form_id}: {self.outcome}"
