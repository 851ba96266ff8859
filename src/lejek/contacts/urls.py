from django.urls import path

from lejek.contacts import views
from lejek.core import converters  # noqa: F401  (registers the "id" path converter)

app_name = "contacts"

urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<id:pk>/", views.person_detail, name="person-detail"),
    path("people/<id:pk>/fields/<slug:name>/", views.person_field, name="person-field"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<id:pk>/", views.organization_detail, name="organization-detail"),
    path(
        "organizations/<id:pk>/fields/<slug:name>/",
        views.organization_field,
        name="organization-field",
    ),
]
