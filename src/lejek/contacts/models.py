"""Companies (organizations) and the people who work there."""

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower

from lejek.core.models import OwnedRecord


class Organization(OwnedRecord):
    """A company: a prospect until a deal is won, a customer after."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    employees = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    website = models.CharField(max_length=300, blank=True, default="")
    is_customer = models.BooleanField(default=False)
    customer_since = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("name"), name="org_name_lower"),
            models.Index(fields=["name", "id"], name="org_name_id"),
            models.Index(fields=["domain"], name="org_domain"),
            models.Index(fields=["owner", "name"], name="org_owner_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(OwnedRecord):
    """A contact person, usually at an organization."""

    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    job_title = models.CharField(max_length=150, blank=True, default="")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["email"], name="person_email"),
            models.Index(fields=["last_name", "first_name", "id"], name="person_name_id"),
            # Prefix search over a million people reads these ranges.
            models.Index(Lower("last_name"), name="person_last_name_lower"),
            models.Index(F("owner"), Lower("last_name"), name="person_owner_last_lower"),
            models.Index(fields=["owner", "last_name"], name="person_owner_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
