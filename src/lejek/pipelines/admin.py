from django.contrib import admin

from lejek.pipelines.models import Deal, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("name", "order", "probability", "rotting_days", "removed_at")
    readonly_fields = ("removed_at",)
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "template", "order", "is_active")
    inlines = [StageInline]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("title", "pipeline", "stage", "status", "amount", "currency", "owner")
    list_filter = ("status", "pipeline")
    search_fields = ("title",)
    list_select_related = ("pipeline", "stage", "owner")
    raw_id_fields = ("owner", "organization", "lead", "people")
    readonly_fields = ("pipeline", "stage", "status", "stage_entered_at", "closed_at", "version")
