"""Per-user settings of the web interface: saved list views and the interface language."""

from django.conf import settings
from django.db import models
from django.utils import timezone

# A saved view stores a list's query string; longer ones are not something a person typed.
MAX_QUERY_LENGTH = 2000


class SavedView(models.Model):
    """A named filter, sort and search of one list, kept for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(max_length=40)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=MAX_QUERY_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="savedview_user_list_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.list_name}: {self.name}"


class Preference(models.Model):
    """The interface language a user chose; applied again at every log-in, on any device."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_preference"
    )
    language = models.CharField(max_length=10, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"
