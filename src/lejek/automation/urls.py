from django.urls import path

from lejek.automation import checklist_views, views

app_name = "automation"

urlpatterns = [
    path("", views.rule_list, name="rule-list"),
    path("rules/new/", views.rule_edit, name="rule-create"),
    path("rules/<id:pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<id:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("rules/<id:pk>/dry-run/", views.rule_dry_run, name="rule-dry-run"),
    path("checklists/", views.checklist_overview, name="checklist-overview"),
    path("checklists/stages/<id:stage_id>/", views.checklist_edit, name="checklist-edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<id:pk>/delete/", views.holiday_delete, name="holiday-delete"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/<id:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<id:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<id:pk>/retry/", views.run_retry, name="run-retry"),
    path("deals/<id:deal_id>/checklist/", checklist_views.deal_checklist, name="deal-checklist"),
    path(
        "deals/<id:deal_id>/checklist/<id:step_id>/toggle/",
        checklist_views.toggle_step,
        name="deal-checklist-toggle",
    ),
]
