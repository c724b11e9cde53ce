from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("users/", admin_views.account_list_view, name="account_list"),
    path("users/new/", admin_views.account_create_view, name="account_create"),
    path("users/<int:pk>/", admin_views.account_detail_view, name="account_detail"),
]
