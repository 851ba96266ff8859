from django.urls import path

from lejek.activities import views
from lejek.core import converters  # noqa: F401  (registers the "id" path converter)

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="activity-list"),
    path("my-day/", views.my_day, name="my-day"),
    path("tasks/", views.task_add, name="task-add"),
    path("<id:pk>/complete/", views.activity_complete, name="activity-complete"),
    path("panel/<slug:kind>/<id:pk>/", views.record_panel, name="record-panel"),
    path("panel/<slug:kind>/<id:pk>/timeline/", views.record_timeline, name="record-timeline"),
    path("panel/<slug:kind>/<id:pk>/<slug:action>/", views.record_add, name="record-add"),
]
