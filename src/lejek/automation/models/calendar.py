"""The business calendar: holidays on top of the weekend days from the settings."""

from django.db import models


class Holiday(models.Model):
    """A day nobody works: "business day" offsets skip it like a weekend."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
