from django.urls import path

from . import form_urls, nomination_urls, rank_urls, team_urls, views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list_view, name="list"),
    *team_urls.urlpatterns,
    *rank_urls.urlpatterns,
    *nomination_urls.urlpatterns,
    *form_urls.urlpatterns,
]
