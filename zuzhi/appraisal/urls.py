from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.round_list_view, name="list"),
    path("new/", views.round_open_view, name="open"),
    path("<int:pk>/", views.round_detail_view, name="detail"),
    path("<int:pk>/<str:action>/", views.round_action_view, name="action"),
    path("vote/<slug:token>/", views.ballot_view, name="ballot"),
    path("vote/<slug:token>/cast/", views.ballot_cast_view, name="cast"),
]
