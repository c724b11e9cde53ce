from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("", views.overview_view, name="index"),
    path("pdf/", views.overview_pdf_view, name="pdf"),
]
