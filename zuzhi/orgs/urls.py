from django.urls import path

from . import committee_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list_view, name="list"),
    path("tree/", views.org_tree_view, name="tree"),
    path("picker/", views.org_picker_view, name="picker"),
    path("health/", views.org_health_view, name="health"),
    path("rectifications/", views.rectification_list_view, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail_view, name="rectification"),
    path("<int:pk>/rectify/", views.rectification_open_view, name="rectify"),
    path("tree/<int:pk>/children/", views.org_children_view, name="children"),
    path("new/", views.org_create_view, name="create"),
    path("<int:pk>/", views.org_detail_view, name="detail"),
    path("<int:pk>/edit/", views.org_edit_view, name="edit"),
    path("<int:pk>/history/", views.org_history_view, name="history"),
    path("<int:pk>/committee/", committee_views.committee_view, name="committee"),
    path(
        "<int:pk>/committee/appoint/",
        committee_views.committee_appoint_view,
        name="committee_appoint",
    ),
    path("committee/<int:pk>/end/", committee_views.committee_end_view, name="committee_end"),
]
