from django.urls import path

from . import dashboard_views, lifecycle_views, views

app_name = "reserves"
urlpatterns = [
    path("", views.candidate_list_view, name="list"),
    path("export/", views.candidate_export_view, name="export"),
    path("new/", views.candidate_create_view, name="create"),
    path("registry-lookup/", views.registry_lookup_view, name="registry_lookup"),
    path("<int:pk>/", views.candidate_edit_view, name="edit"),
    path("<int:pk>/record/", lifecycle_views.candidate_record_view, name="record"),
    path("<int:pk>/step/", lifecycle_views.candidate_step_view, name="step"),
    path("township-review/", lifecycle_views.township_review_view, name="township_review"),
    path("send-to-review/", lifecycle_views.send_to_review_view, name="send_to_review"),
    path("returning-talent/", views.talent_list_view, name="talents"),
    path("returning-talent/export/", views.talent_export_view, name="talents_export"),
    path("returning-talent/new/", views.talent_create_view, name="talent_create"),
    path("returning-talent/<int:talent_id>/", views.talent_edit_view, name="talent_edit"),
    # The pool against its targets (后备力量库), by township and by village.
    path("pool/", dashboard_views.pool_overview_view, name="pool"),
    path("pool/export/", dashboard_views.pool_export_view, name="pool_export"),
    path("pool/<int:township_id>/", dashboard_views.pool_township_view, name="pool_township"),
    path(
        "pool/<int:township_id>/export/",
        dashboard_views.pool_township_export_view,
        name="pool_township_export",
    ),
]
