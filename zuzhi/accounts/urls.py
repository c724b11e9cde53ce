from django.urls import path

from . import admin_views, two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", two_factor_views.login_verify_view, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("2fa/setup/", two_factor_views.two_factor_setup_view, name="two_factor_setup"),
    path(
        "me/2fa/recovery-codes/",
        two_factor_views.recovery_codes_renew_view,
        name="recovery_codes_renew",
    ),
    path("me/2fa/disable/", two_factor_views.two_factor_disable_view, name="two_factor_disable"),
    path("2fa-resets/", two_factor_views.reset_list_view, name="two_factor_resets"),
    path(
        "2fa-resets/<int:pk>/approve/",
        two_factor_views.reset_approve_view,
        name="two_factor_reset_approve",
    ),
    path(
        "2fa-resets/<int:pk>/refuse/",
        two_factor_views.reset_refuse_view,
        name="two_factor_reset_refuse",
    ),
    path(
        "users/<int:pk>/2fa-reset/",
        two_factor_views.reset_request_view,
        name="two_factor_reset_request",
    ),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.me_view, name="me"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("me/tokens/revoke/", views.token_revoke_all_view, name="token_revoke_all"),
    path("me/sessions/<int:pk>/end/", views.session_revoke_view, name="session_revoke"),
    path(
        "me/sessions/end-others/", views.sessions_revoke_others_view, name="sessions_revoke_others"
    ),
    path("grants/", views.grant_list_view, name="grant_list"),
    path("grants/<int:pk>/approve/", views.grant_approve_view, name="grant_approve"),
    path("grants/<int:pk>/refuse/", views.grant_refuse_view, name="grant_refuse"),
    path("users/", admin_views.account_list_view, name="account_list"),
    path("users/new/", admin_views.account_create_view, name="account_create"),
    path("users/<int:pk>/", admin_views.account_detail_view, name="account_detail"),
    path("users/<int:pk>/grant/", admin_views.account_grant_view, name="account_grant"),
    path(
        "users/<int:pk>/roles/<int:assignment>/revoke/",
        admin_views.account_revoke_view,
        name="account_revoke",
    ),
    path("users/<int:pk>/activate/", admin_views.account_activate_view, name="account_activate"),
    path(
        "users/<int:pk>/deactivate/", admin_views.account_deactivate_view, name="account_deactivate"
    ),
    path(
        "users/<int:pk>/reset-password/",
        admin_views.account_reset_password_view,
        name="account_reset_password",
    ),
    path("users/<int:pk>/unlock/", admin_views.account_unlock_view, name="account_unlock"),
]
