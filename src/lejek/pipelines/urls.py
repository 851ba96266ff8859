"""Pages of the pipelines app: the board, deals, and the pipeline editor."""

from django.urls import path

from lejek.core import converters  # noqa: F401  (registers the "id" path converter)
from lejek.pipelines import deal_views, editor_views, list_views, views

app_name = "pipelines"

urlpatterns = [
    path("board/", views.board_default, name="board-default"),
    path("board/<id:pipeline_id>/", views.board, name="board"),
    path(
        "board/<id:pipeline_id>/stages/<id:stage_id>/cards/",
        views.board_cards,
        name="board-cards",
    ),
    path("deals/", list_views.deal_list, name="deal-list"),
    path("deals/new/", deal_views.deal_create, name="deal-create"),
    path("deals/<id:deal_id>/", deal_views.deal_detail, name="deal-detail"),
    path("deals/<id:deal_id>/move/", views.deal_move, name="deal-move"),
    path("deals/<id:deal_id>/won/", deal_views.deal_won, name="deal-won"),
    path("deals/<id:deal_id>/lost/", deal_views.deal_lost, name="deal-lost"),
    path("deals/<id:deal_id>/reopen/", deal_views.deal_reopen, name="deal-reopen"),
    path("deals/<id:deal_id>/fields/<slug:field>/", deal_views.deal_field, name="deal-field"),
    path("lookup/organizations/", views.lookup_organizations, name="lookup-organizations"),
    path("lookup/people/", views.lookup_people, name="lookup-people"),
    path("editor/", editor_views.pipeline_list, name="pipeline-list"),
    path("editor/<id:pipeline_id>/", editor_views.pipeline_edit, name="pipeline-edit"),
    path("editor/<id:pipeline_id>/stages/add/", editor_views.stage_add, name="stage-add"),
    path("editor/<id:pipeline_id>/stages/order/", editor_views.stage_order, name="stage-order"),
    path(
        "editor/<id:pipeline_id>/stages/<id:stage_id>/",
        editor_views.stage_update,
        name="stage-update",
    ),
    path(
        "editor/<id:pipeline_id>/stages/<id:stage_id>/shift/",
        editor_views.stage_shift,
        name="stage-shift",
    ),
    path(
        "editor/<id:pipeline_id>/stages/<id:stage_id>/remove/",
        editor_views.stage_remove,
        name="stage-remove",
    ),
]
