from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.points_view, name="list"),
    path("rules/", views.rules_view, name="rules"),
    path("member/<int:member_pk>/", views.entry_view, name="entry"),
]
