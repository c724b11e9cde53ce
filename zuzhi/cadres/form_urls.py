"""URLs of this part of the cadre pages; included by zuzhi.cadres.urls (namespace cadres)."""

from django.urls import path

from . import form_views

urlpatterns = [
    path(
        "<int:pk>/appointment-form/",
        form_views.appointment_form_view,
        name="appointment_form",
    ),
    path("appointment-forms/", form_views.appointment_forms_view, name="appointment_forms"),
]
