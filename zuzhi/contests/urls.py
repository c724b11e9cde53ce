from django.urls import path

from .views import contests, inputs, judging, results
from .voting import views as voting

app_name = "contests"
urlpatterns = [
    path("", contests.contest_list_view, name="list"),
    path("new/", contests.contest_create_view, name="create"),
    path("judging/", judging.judging_view, name="judging"),
    path("judging/<int:stage_pk>/", judging.score_view, name="score"),
    path("judging/<int:stage_pk>/status/", judging.score_status_view, name="score_status"),
    path("judging/<int:stage_pk>/check/", judging.score_check_view, name="score_check"),
    path("judging/<int:stage_pk>/sheets/", judging.score_submit_view, name="score_submit"),
    path("public/", voting.public_list_view, name="public_list"),
    path("public/<int:pk>/", voting.public_view, name="public"),
    path("public/<int:pk>/codes/", voting.public_code_view, name="public_code"),
    path("public/<int:pk>/voters/", voting.public_verify_view, name="public_verify"),
    path("public/<int:pk>/votes/", voting.public_vote_view, name="public_vote"),
    path("public/<int:pk>/photos/<int:entrant_pk>/", voting.photo_view, name="photo"),
    path("<int:pk>/", contests.contest_detail_view, name="detail"),
    path("<int:pk>/copy/", contests.contest_copy_view, name="copy"),
    path("<int:pk>/edit/", contests.contest_edit_view, name="edit"),
    path("<int:pk>/do/<str:action>/", contests.contest_action_view, name="action"),
    path("<int:pk>/entrants/", contests.entrant_add_view, name="entrant_add"),
    path("<int:pk>/values/", inputs.values_view, name="values"),
    path("<int:pk>/values/evidence/", inputs.value_evidence_view, name="value_evidence"),
    path(
        "<int:pk>/values/<int:entrant_pk>/<int:indicator_pk>/evidence/",
        inputs.value_evidence_download_view,
        name="value_evidence_download",
    ),
    path("<int:pk>/adjustments/", inputs.adjustments_view, name="adjustments"),
    path(
        "<int:pk>/adjustments/<int:item_pk>/",
        inputs.adjustment_decide_view,
        name="adjustment_decide",
    ),
    path("<int:pk>/adjustments/<int:item_pk>/evidence/", inputs.evidence_view, name="evidence"),
    path("<int:pk>/board/<int:stage_pk>/", judging.board_view, name="board"),
    path("<int:pk>/board/<int:stage_pk>/judges/", judging.board_seat_view, name="board_seat"),
    path("<int:pk>/board/<int:stage_pk>/open/", judging.board_open_view, name="board_open"),
    path("<int:pk>/board/<int:stage_pk>/close/", judging.board_close_view, name="board_close"),
    path(
        "<int:pk>/board/<int:stage_pk>/corrections/<int:item_pk>/",
        judging.board_correction_view,
        name="board_correction",
    ),
    path("<int:pk>/results/", results.results_view, name="results"),
    path(
        "<int:pk>/results/<int:version_pk>/publish/",
        results.result_publish_view,
        name="result_publish",
    ),
    path(
        "<int:pk>/results/<int:version_pk>/export/<str:fmt>/",
        results.results_export_view,
        name="results_export",
    ),
    path("<int:pk>/cases/<int:case_pk>/close/", results.case_close_view, name="case_close"),
    path("<int:pk>/votes/", voting.votes_view, name="votes"),
]
