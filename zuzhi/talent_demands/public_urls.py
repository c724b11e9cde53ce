"""The published catalogue's public pages (no login), mounted at /rencai/xuqiu/."""

from django.urls import path

from . import public_views

app_name = "talent_demands_public"
urlpatterns = [
    path("", public_views.public_index_view, name="index"),
    path("<int:pk>/", public_views.public_edition_view, name="edition"),
    path("<int:pk>/xlsx/", public_views.public_edition_xlsx_view, name="edition_xlsx"),
]
