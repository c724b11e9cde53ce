from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("", views.household_list_view, name="list"),
    path("export/", views.household_export_view, name="export"),
    path("new/", views.household_create_view, name="create"),
    path("mine/", views.mine_view, name="mine"),
    path("assign/", views.bulk_assign_view, name="bulk_assign"),
    path("relink/", views.relink_view, name="relink"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("<int:pk>/", views.household_detail_view, name="detail"),
    path("<int:pk>/edit/", views.household_edit_view, name="edit"),
    path("<int:pk>/link/", views.household_link_view, name="link"),
    path("<int:pk>/unlink/", views.household_unlink_view, name="unlink"),
]
