from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("booking/", views.booking_settings, name="booking-settings"),
    path("revenue-split/", views.revenue_split, name="revenue-split"),
    path("<id:pk>/", views.customer_detail, name="customer-detail"),
    path("<id:pk>/contracts/", views.contract_add, name="contract-add"),
    path("<id:pk>/expansion/", views.expansion_add, name="expansion-add"),
    path("<id:pk>/referrals/", views.referral_add, name="referral-add"),
]
