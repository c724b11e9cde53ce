from django.urls import path

from . import views

app_name = "reserve_appraisals"
urlpatterns = [
    path("", views.appraisal_list_view, name="list"),
    path("new/", views.appraisal_open_view, name="open"),
    path("<int:reserve_appraisal_id>/", views.appraisal_detail_view, name="detail"),
    path("<int:reserve_appraisal_id>/close/", views.appraisal_close_view, name="close"),
    path(
        "subjects/<int:reserve_subject_id>/inspection/",
        views.inspection_view,
        name="inspection",
    ),
    path("subjects/<int:reserve_subject_id>/decide/", views.decide_view, name="decide"),
    path("vote/<slug:token>/", views.ballot_view, name="ballot"),
    path("vote/<slug:token>/cast/", views.ballot_cast_view, name="cast"),
]
