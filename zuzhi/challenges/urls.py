from django.urls import path

from . import views

app_name = "challenges"
urlpatterns = [
    path("", views.challenge_list_view, name="list"),
    path("export/", views.challenge_export_view, name="export"),
    path("new/", views.challenge_create_view, name="create"),
    path("<int:pk>/", views.challenge_detail_view, name="detail"),
    path("<int:pk>/edit/", views.challenge_edit_view, name="edit"),
    path("<int:pk>/publish/", views.challenge_publish_view, name="publish"),
    path("<int:pk>/review/", views.challenge_review_view, name="review"),
    path("<int:pk>/award/", views.challenge_award_view, name="award"),
    path("<int:pk>/start/", views.challenge_start_view, name="start"),
    path("<int:pk>/complete/", views.challenge_complete_view, name="complete"),
    path("<int:pk>/close/", views.challenge_close_view, name="close"),
    path("<int:pk>/applications/new/", views.application_create_view, name="application_create"),
    path("<int:pk>/reviewers/", views.reviewer_add_view, name="reviewer_add"),
    path("<int:pk>/milestones/", views.milestone_add_view, name="milestone_add"),
    path("<int:pk>/payments/", views.payment_view, name="payment"),
    path("applications/<int:pk>/phone/", views.application_phone_view, name="application_phone"),
    path("applications/<int:pk>/score/", views.score_view, name="score"),
    path(
        "applications/<int:pk>/files/<int:file_pk>/",
        views.application_file_view,
        name="application_file",
    ),
    path("milestones/<int:pk>/done/", views.milestone_done_view, name="milestone_done"),
    path("milestones/<int:pk>/file/", views.milestone_file_view, name="milestone_file"),
]
