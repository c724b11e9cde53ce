from django.urls import path

from . import import_views

app_name = "imports"
urlpatterns = [
    path("job/<uuid:pk>/", import_views.job_view, name="job"),
    path("job/<uuid:pk>/progress/", import_views.job_progress_view, name="progress"),
    path("job/<uuid:pk>/confirm/", import_views.job_confirm_view, name="confirm"),
    path("job/<uuid:pk>/sheet/", import_views.job_choose_sheet_view, name="choose_sheet"),
    path("job/<uuid:pk>/marked/", import_views.job_marked_view, name="marked"),
    path("<str:kind>/", import_views.upload_view, name="upload"),
    path("<str:kind>/template/", import_views.template_view, name="template"),
]
