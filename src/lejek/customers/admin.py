from django.contrib import admin

from lejek.customers.models import Booking, BookingPage, Contract, Renewal, WorkingHours


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("organization", "start_date", "end_date", "renew_on", "status", "owner")
    list_select_related = ("organization", "owner")
    raw_id_fields = ("organization", "deal", "owner")


@admin.register(Renewal)
class RenewalAdmin(admin.ModelAdmin):
    list_display = ("contract", "deal", "created_on", "outcome", "decided_at")
    raw_id_fields = ("contract", "deal", "next_contract")


@admin.register(BookingPage)
class BookingPageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "user", "team", "stage", "is_active")
    raw_id_fields = ("user", "stage")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "rep", "start_at", "created_at")
    raw_id_fields = ("rep", "meeting", "lead", "deal", "page")


admin.site.register(WorkingHours)
