from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("mine/", views.mine_view, name="mine"),
    path("quarter/", views.quarter_view, name="quarter"),
    path("cadres/<int:cadre_id>/", views.cadre_view, name="cadre"),
    path("cadres/<int:cadre_id>/entries/", views.entry_create_view, name="entry_create"),
    path("cadres/<int:cadre_id>/summary.pdf", views.summary_pdf_view, name="summary_pdf"),
    path("entries/<int:archive_entry_id>/reverse/", views.entry_reverse_view, name="reverse"),
    path("entries/<int:archive_entry_id>/review/", views.entry_review_view, name="review"),
    path("entries/<int:archive_entry_id>/evidence/", views.evidence_view, name="evidence"),
    path("contests/<int:contest_id>/offers/", views.offers_view, name="offers"),
    path(
        "contests/<int:contest_id>/offers/<int:cadre_id>/accept/",
        views.offer_accept_view,
        name="offer_accept",
    ),
    path(
        "contests/<int:contest_id>/offers/<int:cadre_id>/dismiss/",
        views.offer_dismiss_view,
        name="offer_dismiss",
    ),
    path(
        "cadres/<int:cadre_id>/offers/accept/",
        views.cadre_offer_accept_view,
        name="cadre_offer_accept",
    ),
    path(
        "cadres/<int:cadre_id>/offers/dismiss/",
        views.cadre_offer_dismiss_view,
        name="cadre_offer_dismiss",
    ),
    path("cadres/<int:cadre_id>/supervision/", views.supervision_view, name="supervision"),
    path(
        "supervision/<int:supervision_id>/excuse/",
        views.supervision_excuse_view,
        name="supervision_excuse",
    ),
    path(
        "supervision/<int:supervision_id>/clear/",
        views.supervision_clear_view,
        name="supervision_clear",
    ),
    path("watch/", views.watch_view, name="watch"),
    path("cadres/<int:cadre_id>/watch/", views.watch_add_view, name="watch_add"),
    path(
        "nominations/<int:nomination_id>/watch/",
        views.watch_from_nomination_view,
        name="watch_from_nomination",
    ),
    path("watch/<int:watch_id>/keep/", views.watch_keep_view, name="watch_keep"),
    path("watch/<int:watch_id>/remove/", views.watch_remove_view, name="watch_remove"),
]
