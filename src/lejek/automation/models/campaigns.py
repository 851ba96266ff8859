"""Campaigns and tags records can be added to and removed from, with the history of each stay."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    TAG = "tag", _("Tag")


class Campaign(models.Model):
    """A named nurture campaign, or a plain tag: both are lists records join and leave."""

    Kind = CampaignKind

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CAMPAIGN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="campaign_kind_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One stay of a record in a campaign: added, and later perhaps removed. Never deleted."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-added_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "entity_type", "entity_id"], name="membership_entity")
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}#{self.entity_id} in {self.campaign_id}"

    @property
    def is_current(self) -> bool:
        return self.removed_at is None
