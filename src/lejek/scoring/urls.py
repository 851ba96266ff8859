from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.scoring import views

app_name = "scoring"

urlpatterns = [
    path("", views.rule_list, name="rule-list"),
    path("rules/new/", views.rule_edit, name="rule-create"),
    path("rules/examples/", views.rules_examples, name="rule-examples"),
    path("rules/<id:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<id:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("rescore/", views.rescore_all, name="rescore"),
    path("thresholds/new/", views.threshold_edit, name="threshold-create"),
    path("thresholds/<id:pk>/", views.threshold_edit, name="threshold-edit"),
    path("thresholds/<id:pk>/delete/", views.threshold_delete, name="threshold-delete"),
    path("leads/<id:pk>/", views.lead_score, name="lead-score"),
    path("leads/<id:pk>/refresh/", views.lead_score_refresh, name="lead-score-refresh"),
]
