from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("", views.round_list_view, name="rounds"),
    path("new/", views.round_create_view, name="round_create"),
    path("<int:pk>/", views.round_detail_view, name="round"),
    path("<int:pk>/offers/", views.offer_set_view, name="offer_set"),
    path("<int:pk>/eligible/", views.eligible_view, name="eligible"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/close/", views.round_close_view, name="round_close"),
    path("assessments/", views.assessment_list_view, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_sheet_view, name="assessment"),
    path("assessments/<int:pk>/close/", views.assessment_close_view, name="assessment_close"),
]
