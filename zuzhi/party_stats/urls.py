from django.urls import path

from . import views

app_name = "party_stats"
urlpatterns = [
    path("", views.stats_view, name="index"),
    path("xlsx/", views.stats_xlsx_view, name="xlsx"),
    path("check/", views.check_view, name="check"),
]
