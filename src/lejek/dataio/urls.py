from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.dataio import views

app_name = "dataio"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("<id:pk>/", views.job_detail, name="job"),
    path("<id:pk>/mapping/", views.job_mapping, name="job-mapping"),
    path("<id:pk>/dry-run/", views.job_dry_run, name="job-dry-run"),
    path("<id:pk>/run/", views.job_run, name="job-run"),
    path("<id:pk>/progress/", views.job_progress, name="job-progress"),
]
