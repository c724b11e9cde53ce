from django.urls import path

from . import views

app_name = "three_ones"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("new/", views.contact_create_view, name="create"),
    path("<int:pk>/", views.contact_detail_view, name="detail"),
    path("problems/", views.problem_list_view, name="problems"),
    path("problems/<int:pk>/rectify/", views.problem_rectify_view, name="rectify"),
    path("summary/", views.summary_view, name="summary"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("types/", views.types_view, name="types"),
    path("types/defaults/", views.types_defaults_view, name="types_defaults"),
    path("types/<int:pk>/", views.type_edit_view, name="type_edit"),
]
