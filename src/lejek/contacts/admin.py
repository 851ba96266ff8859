from django.contrib import admin

from lejek.contacts.models import Organization, Person


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "owner", "is_customer", "created_at")
    search_fields = ("name", "domain")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "organization", "owner")
    search_fields = ("last_name", "email")
    list_select_related = ("owner", "organization")
    raw_id_fields = ("owner", "organization")
