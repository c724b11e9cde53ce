from django.urls import path

from . import views

app_name = "contests"
urlpatterns = [
    path("", views.contest_list_view, name="list"),
    path("judging/", views.judging_view, name="judging"),
    path("judging/<int:stage_pk>/", views.score_view, name="score"),
    path("public/<int:pk>/", views.public_view, name="public"),
    path("public/<int:pk>/photos/<int:entrant_pk>/", views.photo_view, name="photo"),
    path("<int:pk>/", views.contest_detail_view, name="detail"),
    path("<int:pk>/copy/", views.contest_copy_view, name="copy"),
    path("<int:pk>/edit/", views.contest_edit_view, name="edit"),
    path("<int:pk>/do/<str:action>/", views.contest_action_view, name="action"),
    path("<int:pk>/entrants/", views.entrant_add_view, name="entrant_add"),
    path("<int:pk>/values/", views.values_view, name="values"),
    path("<int:pk>/values/evidence/", views.value_evidence_view, name="value_evidence"),
    path(
        "<int:pk>/values/<int:entrant_pk>/<int:indicator_pk>/evidence/",
        views.value_evidence_download_view,
        name="value_evidence_download",
    ),
    path("<int:pk>/adjustments/", views.adjustments_view, name="adjustments"),
    path(
        "<int:pk>/adjustments/<int:item_pk>/",
        views.adjustment_decide_view,
        name="adjustment_decide",
    ),
    path("<int:pk>/adjustments/<int:item_pk>/evidence/", views.evidence_view, name="evidence"),
    path("<int:pk>/board/<int:stage_pk>/", views.board_view, name="board"),
    path("<int:pk>/results/", views.results_view, name="results"),
    path("<int:pk>/votes/", views.votes_view, name="votes"),
]
