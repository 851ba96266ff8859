"""Saved forecasts: each method's numbers per month as they were when saved."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Snapshot(models.Model):
    """A forecast saved by hand or by the weekly task. Never changed after it is written.

    The scope says whose deals it covers: one owner, one team, or everyone (both
    empty), optionally one pipeline.
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", "Saved by hand"
        WEEKLY = "weekly", "Weekly"
        REPLAYED = "replayed", "Rebuilt from history"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    as_of = models.DateField()
    horizon = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pipeline = models.ForeignKey(
        "pipelines.Pipeline", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="fcsnap_kind_created"),
            models.Index(fields=["owner", "as_of"], name="fcsnap_owner_asof"),
        ]

    def __str__(self) -> str:
        return f"forecast of {self.as_of} ({self.kind})"


class SnapshotValue(models.Model):
    """One method's forecast for one month of a snapshot, in the snapshot's currency."""

    class Method(models.TextChoices):
        WEIGHTED = "weighted", "Stage-weighted"
        COMMIT = "commit", "Rep commit"
        BEST_CASE = "best_case", "Best case"
        RUN_RATE = "run_rate", "Historical run-rate"
        CYCLE_AGE = "cycle_age", "Cycle age"
        P10 = "p10", "Probabilistic P10"
        P50 = "p50", "Probabilistic P50"
        P90 = "p90", "Probabilistic P90"

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    method = models.CharField(max_length=12, choices=Method.choices)
    month = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["snapshot_id", "month", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "method", "month"], name="fcvalue_snapshot_method_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.month:%Y-%m}: {self.amount}"
