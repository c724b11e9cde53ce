from django.urls import path

from . import views

app_name = "adjustments"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("export.xlsx", views.case_export_view, name="export"),
    path("<int:adjustment_case_id>/", views.case_view, name="case"),
    path("<int:adjustment_case_id>/decide/", views.decide_view, name="decide"),
]
