from django.contrib import admin

from lejek.leads.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "email",
        "company_name",
        "status",
        "source",
        "score",
        "owner",
        "created_at",
    )
    list_filter = ("status", "source", "authority", "budget_confirmed", "created_at")
    search_fields = ("title", "last_name", "email", "company_name", "company_domain", "campaign")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    date_hierarchy = "created_at"
    readonly_fields = ("version", "created_at", "updated_at", "deleted_at")
