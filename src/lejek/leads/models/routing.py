"""Lead routing: rules by source, territory and company size, round robin within a team."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from lejek.leads.models.lead import Source


class RoutingRule(models.Model):
    """The first active rule (by `position`) whose conditions all hold decides the owner:
    a named rep, or the next active member of a team in turn. Empty conditions match all."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=20, choices=Source.choices, blank=True, default="")
    # Two-letter country codes, e.g. ["PL", "CZ"].
    countries = models.JSONField(default=list, blank=True)
    min_company_size = models.PositiveIntegerField(null=True, blank=True)
    max_company_size = models.PositiveIntegerField(null=True, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RoundRobinCursor(models.Model):
    """Who in a team got the last lead; the next goes to the next active member."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    last_user_id = models.BigIntegerField(null=True)
    assigned = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"team {self.team_id} → {self.last_user_id}"
