from django.urls import path

from . import form_urls, lrmx_views, nomination_urls, rank_urls, team_urls, views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list_view, name="list"),
    path("new/", views.cadre_create_view, name="create"),
    path("<int:pk>/", views.cadre_detail_view, name="detail"),
    path("<int:pk>/edit/", views.cadre_edit_view, name="edit"),
    path("<int:pk>/career/", views.cadre_career_view, name="career"),
    path("<int:pk>/family/", views.cadre_family_view, name="family"),
    path("<int:pk>/assessments/", views.cadre_assessment_view, name="assessment"),
    path("<int:pk>/rewards/", views.cadre_reward_view, name="reward"),
    path("<int:pk>/photo/", views.cadre_photo_view, name="photo"),
    path("<int:pk>/lrmx/", views.cadre_lrmx_view, name="lrmx"),
    path("lrmx/", views.lrmx_export_view, name="lrmx_export"),
    path("import/", lrmx_views.lrmx_upload_view, name="lrmx_upload"),
    path("import/<uuid:pk>/", lrmx_views.lrmx_preview_view, name="lrmx_preview"),
    path("import/<uuid:pk>/confirm/", lrmx_views.lrmx_confirm_view, name="lrmx_confirm"),
    path("import/<uuid:pk>/status/", lrmx_views.lrmx_status_view, name="lrmx_status"),
    *team_urls.urlpatterns,
    *rank_urls.urlpatterns,
    *nomination_urls.urlpatterns,
    *form_urls.urlpatterns,
]
