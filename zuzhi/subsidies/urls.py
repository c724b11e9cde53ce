from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("policies/new/", views.policy_create_view, name="policy_create"),
    path("policies/<int:subsidy_policy_id>/edit/", views.policy_edit_view, name="policy_edit"),
    path("applications/", views.application_list_view, name="applications"),
    path("applications/export/", views.application_export_view, name="applications_export"),
    path("applications/new/", views.application_create_view, name="application_create"),
    path(
        "applications/<int:subsidy_application_id>/",
        views.application_detail_view,
        name="application",
    ),
    path(
        "applications/<int:subsidy_application_id>/approve/",
        views.application_approve_view,
        name="application_approve",
    ),
    path(
        "applications/<int:subsidy_application_id>/reject/",
        views.application_reject_view,
        name="application_reject",
    ),
    path(
        "applications/<int:subsidy_application_id>/bank/",
        views.application_bank_view,
        name="application_bank",
    ),
    path(
        "applications/<int:subsidy_application_id>/correct/",
        views.application_correct_view,
        name="application_correct",
    ),
    path(
        "applications/<int:subsidy_application_id>/certificate/",
        views.application_certificate_view,
        name="application_certificate",
    ),
    path(
        "applications/<int:subsidy_application_id>/contract/",
        views.application_contract_view,
        name="application_contract",
    ),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/<int:subsidy_run_id>/", views.run_detail_view, name="run"),
    path("runs/<int:subsidy_run_id>/progress/", views.run_progress_view, name="run_progress"),
    path("runs/<int:subsidy_run_id>/recompute/", views.run_recompute_view, name="run_recompute"),
    path("runs/<int:subsidy_run_id>/approve/", views.run_approve_view, name="run_approve"),
    path("runs/<int:subsidy_run_id>/export/", views.run_export_view, name="run_export"),
    path("lines/<int:subsidy_line_id>/note/", views.line_note_view, name="line_note"),
    path("totals/", views.totals_view, name="totals"),
    path("mine/", views.mine_view, name="mine"),
]
