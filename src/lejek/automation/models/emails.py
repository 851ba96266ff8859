"""Email templates with merge fields, one per key and language."""

from django.db import models
from django.utils import timezone


class EmailTemplate(models.Model):
    """Subject and body in Django template syntax over a fixed set of merge fields."""

    key = models.SlugField(max_length=60)
    language = models.CharField(max_length=8, default="en")
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # Meeting emails carry the meeting as an iCalendar invitation.
    attach_invite = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="emailtemplate_key_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"
