from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_create_view, name="create"),
    path("transfers/", views.transfer_list_view, name="transfers"),
    path("transfers/<int:pk>/<str:action>/", views.transfer_decide_view, name="transfer_decide"),
    path("<int:pk>/", views.member_detail_view, name="detail"),
    path("<int:pk>/edit/", views.member_edit_view, name="edit"),
    path("<int:pk>/history/", views.member_history_view, name="history"),
    path("<int:pk>/transfer/", views.member_transfer_view, name="transfer"),
]
