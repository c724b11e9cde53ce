from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.candidate_list_view, name="list"),
    path("apply/", views.candidate_apply_view, name="apply"),
    path("<int:pk>/", views.candidate_detail_view, name="detail"),
]
