from django.contrib import admin
from django.urls import include, path, re_path

from lejek.config.api import api, not_found
from lejek.leads import capture_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pipelines/", include("lejek.pipelines.urls")),
    path("contacts/", include("lejek.contacts.urls")),
    path("leads/", include("lejek.leads.urls")),
    path("f/<slug:slug>/", capture_views.submit, name="webform-submit"),
    path("activities/", include("lejek.activities.urls")),
    path("analytics/", include("lejek.analytics.urls")),
    path("automation/", include("lejek.automation.urls")),
    path("forecast/", include("lejek.forecasting.urls")),
    path("scoring/", include("lejek.scoring.urls")),
    path("imports/", include("lejek.dataio.urls")),
    path("salesops/", include("lejek.salesops.urls")),
    path("customers/", include("lejek.customers.urls")),
    path("book/", include("lejek.customers.public_urls")),
    path("", include("lejek.web.urls")),
]
