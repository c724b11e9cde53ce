"""URLs of this part of the cadre pages; included by zuzhi.cadres.urls (namespace cadres)."""

from django.urls import path

from . import nomination_views as views

urlpatterns = [
    path("mine/", views.mine_view, name="mine"),
    path("mine/corrections/", views.correction_create_view, name="correction_create"),
    path("nominations/", views.nomination_list_view, name="nominations"),
    path("nominations/new/", views.nomination_create_view, name="nomination_create"),
    path(
        "nominations/<int:nomination_id>/", views.nomination_detail_view, name="nomination_detail"
    ),
    path(
        "nominations/<int:nomination_id>/evidence/",
        views.nomination_evidence_view,
        name="nomination_evidence",
    ),
    path(
        "nominations/<int:nomination_id>/withdraw/",
        views.nomination_withdraw_view,
        name="nomination_withdraw",
    ),
    path(
        "nominations/<int:nomination_id>/opinion/",
        views.nomination_opinion_view,
        name="nomination_opinion",
    ),
    path(
        "nominations/<int:nomination_id>/accept/",
        views.nomination_accept_view,
        name="nomination_accept",
    ),
    path(
        "nominations/<int:nomination_id>/decline/",
        views.nomination_decline_view,
        name="nomination_decline",
    ),
    path("corrections/", views.correction_list_view, name="corrections"),
    path(
        "corrections/<int:correction_id>/corrected/",
        views.correction_corrected_view,
        name="correction_corrected",
    ),
    path(
        "corrections/<int:correction_id>/refused/",
        views.correction_refused_view,
        name="correction_refused",
    ),
]
