"""URLs of the rank pages (职级); included by zuzhi.cadres.urls (namespace cadres)."""

from django.urls import path

from . import rank_views

urlpatterns = [
    path("ranks/quotas/", rank_views.rank_quotas_view, name="rank_quotas"),
    path("ranks/eligible/", rank_views.rank_eligible_view, name="rank_eligible"),
    path(
        "ranks/units/<int:org_id>/establishment/",
        rank_views.establishment_edit_view,
        name="establishment_edit",
    ),
    path(
        "ranks/grants/<int:grant_id>/correct/",
        rank_views.rank_grant_correct_view,
        name="rank_grant_correct",
    ),
    path(
        "ranks/grants/<int:grant_id>/delete/",
        rank_views.rank_grant_delete_view,
        name="rank_grant_delete",
    ),
    path("<int:pk>/ranks/", rank_views.rank_history_view, name="rank_history"),
    path("<int:pk>/ranks/grant/", rank_views.rank_grant_view, name="rank_grant"),
    path("<int:pk>/staff-grade/", rank_views.staff_grade_view, name="staff_grade"),
]
