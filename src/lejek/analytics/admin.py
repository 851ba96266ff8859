"""Admin for exchange rates and stage roles; saving goes through the services.

A rate saved here converts the deals it covers again, exactly as through the API.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lejek.analytics import services
from lejek.analytics.models import ExchangeRate, StageRole
from lejek.core.errors import ValidationFailed


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ("currency", "rate", "valid_from")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) is not None for k in ("currency", "rate", "valid_from")):
            try:
                data["currency"] = services.check_rate(
                    data["currency"], data["rate"], data["valid_from"]
                )
            except ValidationFailed as exc:
                for field, messages in exc.fields.items():
                    for message in messages:
                        self.add_error(field, message)
        return data


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate", "valid_from", "created_at")
    list_filter = ("currency",)
    ordering = ("currency", "-valid_from")
    form = ExchangeRateForm

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        if change:
            saved = ExchangeRate.objects.get(pk=obj.pk)
            obj.currency = saved.currency  # a rate keeps its currency; add a new one instead
            services.rate_update(
                actor=request.user,  # type: ignore[arg-type]
                rate=saved,
                data={"rate": obj.rate, "valid_from": obj.valid_from},
            )
        else:
            created = services.rate_create(
                actor=request.user,  # type: ignore[arg-type]
                currency=obj.currency,
                rate=obj.rate,
                valid_from=obj.valid_from,
            )
            obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        services.rate_delete(actor=request.user, rate=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rate in queryset:
            self.delete_model(request, rate)


@admin.register(StageRole)
class StageRoleAdmin(admin.ModelAdmin):
    list_display = ("stage", "role")
    list_select_related = ("stage", "stage__pipeline")
    raw_id_fields = ("stage",)
