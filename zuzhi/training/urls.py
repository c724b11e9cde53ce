from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("progress/", views.progress_view, name="progress"),
    path("short/", views.short_view, name="short"),
    path("short.xlsx", views.short_export_view, name="short_export"),
    path("records/", views.records_view, name="records"),
    path("records/new/", views.record_create_view, name="record_create"),
    path("courses/", views.courses_view, name="courses"),
    path("requirements/", views.requirement_view, name="requirement"),
    path("mine/", views.mine_view, name="mine"),
    path("cadres/<int:cadre_id>/", views.cadre_view, name="cadre"),
    path("members/<int:member_id>/", views.member_view, name="member"),
]
