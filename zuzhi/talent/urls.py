from django.urls import path

from . import care_views, views

app_name = "talent"
urlpatterns = [
    path("", views.talent_list_view, name="list"),
    path("export/", views.talent_export_view, name="export"),
    path("new/", views.talent_create_view, name="create"),
    path("me/", views.my_record_view, name="me"),
    path("<int:pk>/", views.talent_detail_view, name="detail"),
    path("<int:pk>/edit/", views.talent_edit_view, name="edit"),
    path("<int:pk>/leave/", views.talent_leave_view, name="leave"),
    path("<int:pk>/return/", views.talent_return_view, name="return"),
    path("<int:pk>/account/", views.talent_account_view, name="account"),
    path("titles/", views.titles_view, name="titles"),
    path("titles/defaults/", views.titles_defaults_view, name="titles_defaults"),
    path("platforms/", care_views.platforms_view, name="platforms"),
    path("platforms/new/", care_views.platform_create_view, name="platform_create"),
    path("platforms/<int:pk>/", care_views.platform_view, name="platform"),
    path("platforms/<int:pk>/edit/", care_views.platform_edit_view, name="platform_edit"),
    path(
        "platform-people/<int:pk>/remove/",
        care_views.platform_person_remove_view,
        name="platform_person_remove",
    ),
    path("care/", care_views.care_list_view, name="care"),
    path("care/new/", care_views.care_create_view, name="care_create"),
    path("care/<int:pk>/", care_views.care_event_view, name="care_event"),
    path("care/<int:pk>/edit/", care_views.care_edit_view, name="care_edit"),
    path("care/visits/", care_views.visits_view, name="visits"),
]
