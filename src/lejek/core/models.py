"""Abstract records shared by the domain apps, and the append-only audit log."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

if TYPE_CHECKING:
    from lejek.accounts.models import User


class OwnedQuerySet(models.QuerySet):
    """Visibility lives here and only here: rep sees own, manager the team's, admin all."""

    def alive(self) -> "OwnedQuerySet":
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user: "User") -> "OwnedQuerySet":
        qs = self.alive()
        if not user.is_authenticated or not user.is_active:
            return qs.none()
        if user.is_admin:
            return qs
        if user.is_manager and user.team_id:
            return qs.filter(Q(owner_id=user.pk) | Q(owner__team_id=user.team_id))
        return qs.filter(owner_id=user.pk)


class OwnedRecord(models.Model):
    """A business record with an owner, an optimistic version and soft deletion."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_%(class)ss"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One change to one field of one record: who, when, old → new. Never updated."""

    class Action(models.TextChoices):
        CREATED = "created", "created"
        UPDATED = "updated", "updated"
        DELETED = "deleted", "deleted"
        RESTORED = "restored", "restored"
        STAGE_CHANGED = "stage_changed", "stage changed"
        STATUS_CHANGED = "status_changed", "status changed"
        OVERRIDE = "override", "override"
        MERGED = "merged", "merged"

    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    field = models.CharField(max_length=64, blank=True, default="")
    old_value = models.TextField(null=True, blank=True)
    new_value = models.TextField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["entity_type", "entity_id", "at"], name="audit_entity_at")]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.entity_type}#{self.entity_id} {self.action} {self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class Tag(models.Model):
    """A label any deal, lead, person, organization or activity may carry ("VIP", "Q4 push")."""

    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Tagging(models.Model):
    """One tag on one record. Adding and removing are in the record's audit history."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity_type", "entity_id", "tag"], name="tagging_entity_tag"
            )
        ]
        indexes = [models.Index(fields=["tag", "entity_type"], name="tagging_tag_entity")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.entity_type}#{self.entity_id}"
