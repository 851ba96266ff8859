from django.contrib import admin

from lejek.activities.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "owner", "due_at", "done_at", "deal", "lead", "created_at")
    list_filter = ("kind", "direction", "is_reply")
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    list_select_related = ("owner", "deal", "lead")
    raw_id_fields = ("owner", "created_by", "deal", "lead", "person", "organization")
