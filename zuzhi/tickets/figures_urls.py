"""/households/figures/: the household service's figures and their Excel export."""

from django.urls import path

from . import figures_views

app_name = "ticket_figures"

urlpatterns = [
    path("", figures_views.figures_view, name="figures"),
    path("export/", figures_views.figures_export_view, name="export"),
]
