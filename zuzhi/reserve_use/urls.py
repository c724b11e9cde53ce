from django.urls import path

from . import views

app_name = "reserve_use"
urlpatterns = [
    path("", views.assignment_list_view, name="assignments"),
    path("export/", views.assignment_export_view, name="assignments_export"),
    path("new/", views.assignment_create_view, name="assignment_create"),
    path("<int:pk>/", views.assignment_result_view, name="assignment_result"),
    path("not-applied/", views.not_applied_view, name="not_applied"),
    path("elections/", views.election_list_view, name="elections"),
    path("elections/new/", views.election_create_view, name="election_create"),
    path("elections/<int:election_id>/", views.election_detail_view, name="election_detail"),
    path(
        "villages/<int:village_id>/committee/",
        views.village_committee_view,
        name="village_committee",
    ),
    path("summary/", views.summary_view, name="summary"),
]
