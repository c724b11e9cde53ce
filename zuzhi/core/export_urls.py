from django.urls import path

from . import export_views

app_name = "exports"
urlpatterns = [
    path("", export_views.job_list_view, name="list"),
    path("<uuid:pk>/", export_views.job_view, name="job"),
    path("<uuid:pk>/progress/", export_views.job_progress_view, name="progress"),
    path("<uuid:pk>/file/", export_views.job_file_view, name="file"),
]
