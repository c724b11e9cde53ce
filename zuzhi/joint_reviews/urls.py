from django.urls import path

from . import department_views, views

app_name = "joint_reviews"
urlpatterns = [
    path("", views.round_list_view, name="list"),
    path("new/", views.round_open_view, name="open"),
    path("departments/", department_views.departments_view, name="departments"),
    path("<int:review_round_id>/", views.round_view, name="round"),
    path("<int:review_round_id>/close/", views.round_close_view, name="close"),
    path("<int:review_round_id>/export.xlsx", views.round_export_view, name="export"),
    path("review/", views.review_view, name="review"),
    path("review/clear-page/", views.review_clear_page_view, name="clear_page"),
    path("review/<int:review_item_id>/clear/", views.review_clear_view, name="clear"),
    path("review/<int:review_item_id>/reject/", views.review_reject_view, name="reject"),
]
