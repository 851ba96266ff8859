from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.leads import flow_views, views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="lead-list"),
    path("new/", views.lead_create, name="lead-create"),
    path("<id:pk>/", views.lead_detail, name="lead-detail"),
    path("<id:pk>/status/", views.lead_status, name="lead-status"),
    path("<id:pk>/fields/<slug:name>/", views.lead_field, name="lead-field"),
    path("<id:pk>/duplicates/", flow_views.lead_duplicates, name="lead-duplicates"),
    path("<id:pk>/merge/", flow_views.lead_merge, name="lead-merge"),
    path("<id:pk>/convert/", flow_views.lead_convert, name="lead-convert"),
    path("<id:pk>/route/", flow_views.lead_route, name="lead-route"),
    path("settings/", flow_views.settings_page, name="flow-settings"),
    path("settings/forms/new/", flow_views.webform_edit, name="webform-create"),
    path("settings/forms/<id:pk>/", flow_views.webform_edit, name="webform-edit"),
    path("settings/routing/new/", flow_views.routing_edit, name="routing-create"),
    path("settings/routing/<id:pk>/", flow_views.routing_edit, name="routing-edit"),
    path("settings/routing/<id:pk>/delete/", flow_views.routing_delete, name="routing-delete"),
]
