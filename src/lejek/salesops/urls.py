from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.salesops import plan_views, views

app_name = "salesops"
urlpatterns = [
    path("", views.scorecard_page, name="scorecard"),
    path("reps/<id:rep_id>/", views.rep_page, name="rep-scorecard"),
    path("quotas/", views.quotas_page, name="quotas"),
    path("quotas/import/", views.quotas_import, name="quotas-import"),
    path("quotas/<id:quota_id>/delete/", views.quota_delete, name="quota-delete"),
    path("statements/", views.statements_page, name="statements"),
    path("statements/<id:statement_id>/", views.statement_page, name="statement"),
    path(
        "statements/<id:statement_id>/approve/", views.statement_approve, name="statement-approve"
    ),
    path(
        "statements/<id:statement_id>/export.<str:fmt>",
        views.statement_export,
        name="statement-export",
    ),
    path("audit/", views.audit_page, name="audit"),
    path("audit/deals/<id:deal_id>/review/", views.review, name="review"),
    path("planner/", views.planner_page, name="planner"),
    path("plans/", plan_views.plans_page, name="plans"),
    path("plans/<id:plan_id>/", plan_views.plan_page, name="plan"),
    path("plans/<id:plan_id>/assign/", plan_views.plan_assign, name="plan-assign"),
    path(
        "plans/<id:plan_id>/reps/<id:rep_id>/unassign/",
        plan_views.plan_unassign,
        name="plan-unassign",
    ),
]
