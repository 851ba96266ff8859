from django.contrib import admin

from lejek.scoring.models import EngagementEvent, ScoreEntry, ScoringRule, Threshold


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "event_type", "points", "is_active", "deleted_at")
    list_filter = ("kind", "is_active")


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "score", "is_active")


@admin.register(EngagementEvent)
class EngagementEventAdmin(admin.ModelAdmin):
    list_display = ("external_id", "type", "lead", "occurred_at")
    raw_id_fields = ("lead",)


@admin.register(ScoreEntry)
class ScoreEntryAdmin(admin.ModelAdmin):
    list_display = ("lead", "rule", "reason", "points", "at")
    raw_id_fields = ("lead", "event")
