from django.urls import path

from . import views

app_name = "team_appraisal"
urlpatterns = [
    path("", views.appraisal_list_view, name="list"),
    path("new/", views.appraisal_open_view, name="open"),
    path("<int:pk>/", views.appraisal_detail_view, name="detail"),
    path("<int:pk>/close/", views.appraisal_close_view, name="close"),
    path("<int:pk>/export/", views.appraisal_export_view, name="export"),
    path("vote/<slug:token>/", views.ballot_view, name="ballot"),
    path("vote/<slug:token>/cast/", views.ballot_cast_view, name="cast"),
]
