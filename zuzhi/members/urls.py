from django.urls import path

from . import transfer_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_create_view, name="create"),
    path("transfers/", transfer_views.transfer_list_view, name="transfers"),
    path("mobile/", views.mobile_list_view, name="mobile"),
    path("cases/", views.case_list_view, name="cases"),
    path("cases/<int:pk>/", views.case_detail_view, name="case"),
    path("transfers/<int:pk>/letter/", transfer_views.transfer_letter_view, name="transfer_letter"),
    path(
        "transfers/<int:pk>/<str:action>/",
        transfer_views.transfer_decide_view,
        name="transfer_decide",
    ),
    path("<int:pk>/", views.member_detail_view, name="detail"),
    path("<int:pk>/edit/", views.member_edit_view, name="edit"),
    path("<int:pk>/history/", views.member_history_view, name="history"),
    path("<int:pk>/transfer/", transfer_views.member_transfer_view, name="transfer"),
    path(
        "<int:pk>/transfer/confirm/",
        transfer_views.member_transfer_confirm_view,
        name="transfer_confirm",
    ),
    path("<int:pk>/mobile/", views.member_mobile_view, name="register_mobile"),
    path("<int:pk>/case/", views.member_case_view, name="open_case"),
    path("<int:pk>/phone/", views.member_phone_view, name="phone"),
]
