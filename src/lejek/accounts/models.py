"""Users, teams, roles and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A sales team; its managers see and edit the records of every member."""

    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    REP = "rep", "Sales rep"


class User(AbstractUser):
    Role = UserRole

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Reps joining later ramp up; the run-rate forecast uses this date.
    started_at = models.DateField(null=True, blank=True)

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def can_manage(self, owner_id: int, owner_team_id: int | None) -> bool:
        """May this user act on a record owned by `owner_id` (member of `owner_team_id`)?"""
        if self.is_admin or owner_id == self.pk:
            return True
        return self.is_manager and self.team_id is not None and owner_team_id == self.team_id


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "lej_" + secrets.token_urlsafe(32)


class LoginFailure(models.Model):
    """A failed log-in (page or token request), counted per account name and per address.

    Kept in the database so every server process sees the same count; rows older
    than the throttling window are deleted as new failures come in.
    """

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfail_user_at"),
            models.Index(fields=["address", "at"], name="loginfail_addr_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"
