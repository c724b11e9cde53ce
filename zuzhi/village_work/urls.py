from django.urls import path

from . import views

app_name = "village_work"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("roster/", views.roster_view, name="roster"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("ending/", views.ending_view, name="ending"),
    path("mine/", views.mine_view, name="mine"),
    path("new/", views.assignment_create_view, name="assignment_create"),
    path("<int:assignment_id>/", views.assignment_detail_view, name="assignment_detail"),
    path("<int:assignment_id>/end/", views.assignment_end_view, name="assignment_end"),
    path("<int:assignment_id>/report/", views.report_create_view, name="report_create"),
    path(
        "<int:assignment_id>/reports/<int:report_id>/review/",
        views.review_create_view,
        name="review_create",
    ),
]
