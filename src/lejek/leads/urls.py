from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="lead-list"),
    path("new/", views.lead_create, name="lead-create"),
    path("<id:pk>/", views.lead_detail, name="lead-detail"),
    path("<id:pk>/status/", views.lead_status, name="lead-status"),
    path("<id:pk>/fields/<slug:name>/", views.lead_field, name="lead-field"),
]
