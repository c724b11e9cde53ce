"""The quarterly publication's public pages (季度晾晒, no login), mounted at /gongshi/."""

from django.urls import path

from . import public_views

app_name = "overview_public"
urlpatterns = [
    path("", public_views.publication_list_view, name="list"),
    path("<int:pk>/", public_views.publication_detail_view, name="detail"),
]
