"""The household's public pages (no login): /h/<token>/ (its QR code) and /r/<token>/ (the
callback link). Mounted at the site root by zuzhi.urls."""

from django.urls import path

from . import public_views

app_name = "tickets_public"

urlpatterns = [
    path("h/<str:token>/", public_views.household_view, name="household"),
    path("h/<str:token>/code/", public_views.household_code_view, name="household_code"),
    path("h/<str:token>/submit/", public_views.household_submit_view, name="household_submit"),
    path("r/<str:token>/", public_views.rate_view, name="rate"),
]
