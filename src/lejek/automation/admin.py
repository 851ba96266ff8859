from django.contrib import admin

from lejek.automation import models


@admin.register(models.Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name", "entity_type", "trigger", "is_active", "updated_at")
    list_filter = ("entity_type", "trigger", "is_active")
    search_fields = ("name",)


@admin.register(models.AutomationRun)
class AutomationRunAdmin(admin.ModelAdmin):
    list_display = ("title", "entity_type", "entity_id", "status", "attempts", "created_at")
    list_filter = ("status", "source", "entity_type")
    search_fields = ("title", "run_key")
    readonly_fields = [f.name for f in models.AutomationRun._meta.fields]


@admin.register(models.ScheduledAction)
class ScheduledActionAdmin(admin.ModelAdmin):
    list_display = ("title", "deal", "anchor", "due_at", "status")
    list_filter = ("status", "anchor")
    raw_id_fields = ("deal", "deal_step", "run")


class StepInline(admin.TabularInline):
    model = models.StepTemplate
    extra = 0


@admin.register(models.StageChecklist)
class StageChecklistAdmin(admin.ModelAdmin):
    list_display = ("stage",)
    inlines = [StepInline]


@admin.register(models.EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "language", "name", "attach_invite")
    list_filter = ("language",)


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")


@admin.register(models.WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active")
    exclude = ("secret",)


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "subscription", "status", "attempts", "created_at")
    list_filter = ("status",)


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
