from django.urls import path

from . import views

app_name = "reserve_training"
urlpatterns = [
    path("", views.board_view, name="board"),
    path("pairs/<int:mentorship_id>/day/", views.day_create_view, name="day_create"),
    path("pairs/<int:mentorship_id>/end/", views.mentorship_end_view, name="mentorship_end"),
    path("reserve/<int:reserve_id>/", views.reserve_view, name="reserve"),
    path("reserve/<int:reserve_id>/mentor/", views.mentor_assign_view, name="mentor_assign"),
    path("reserve/<int:reserve_id>/records/new/", views.record_create_view, name="record_create"),
    path("month/", views.month_view, name="month"),
    path("month/export/", views.month_export_view, name="month_export"),
    path("progress/", views.progress_view, name="progress"),
    path("plans/", views.plan_list_view, name="plans"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_edit_view, name="plan_edit"),
]
