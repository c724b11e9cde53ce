from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("", views.rating_list_view, name="list"),
    path("award/<int:pk>/", views.award_view, name="award"),
    path("award/<int:pk>/evidence/", views.evidence_view, name="evidence"),
    path("award/<int:pk>/<str:action>/", views.award_action_view, name="award_action"),
    path("<slug:code>/", views.board_view, name="board"),
    path("<slug:code>/propose/", views.propose_view, name="propose"),
    path("<slug:code>/pending/", views.pending_view, name="pending"),
    path("<slug:code>/confirm/", views.confirm_view, name="confirm"),
    path("<slug:code>/carry-over/", views.carry_over_view, name="carry_over"),
    path("<slug:code>/changes/", views.changes_view, name="changes"),
    path("<slug:code>/subject/<int:pk>/", views.history_view, name="history"),
    path("<slug:code>/settings/", views.settings_view, name="settings"),
    path("<slug:code>/adopt/", views.adopt_view, name="adopt"),
]
