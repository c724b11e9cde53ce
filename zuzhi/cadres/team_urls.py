"""URLs of the leadership team pages (班子配备); included by zuzhi.cadres.urls (namespace
cadres)."""

from django.urls import path

from . import team_views

urlpatterns = [
    path("teams/", team_views.team_list_view, name="teams"),
    path("teams/export/", team_views.team_export_view, name="team_export"),
    path("teams/structure/", team_views.team_structure_view, name="team_structure"),
    path("teams/targets/", team_views.team_targets_view, name="team_targets"),
    path("teams/targets/add/", team_views.team_target_add_view, name="team_target_add"),
    path(
        "teams/targets/defaults/",
        team_views.team_targets_defaults_view,
        name="team_targets_defaults",
    ),
    path("teams/targets/<int:pk>/", team_views.team_target_edit_view, name="team_target_edit"),
    path("teams/<int:pk>/", team_views.team_detail_view, name="team_detail"),
    path("teams/<int:pk>/appoint/", team_views.team_appoint_view, name="team_appoint"),
    path("teams/holdings/<int:pk>/end/", team_views.holding_end_view, name="holding_end"),
]
