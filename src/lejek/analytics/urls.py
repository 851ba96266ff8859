"""Pages of the analytics app: the dashboard and its exports."""

from django.urls import path

from lejek.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("plotly-<str:version>.min.js", views.plotly_js, name="plotly-js"),
]
