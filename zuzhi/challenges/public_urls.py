"""Open challenges' public pages (no login), mounted at /rencai/jiebang/."""

from django.urls import path

from . import public_views

app_name = "challenges_public"
urlpatterns = [
    path("", public_views.public_list_view, name="list"),
    path("<int:pk>/", public_views.public_detail_view, name="detail"),
]
