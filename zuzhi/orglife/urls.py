from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("", views.meeting_list_view, name="list"),
    path("new/", views.meeting_create_view, name="create"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("<int:pk>/", views.meeting_detail_view, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit_view, name="edit"),
    path("<int:pk>/delete/", views.meeting_delete_view, name="delete"),
    path("<int:pk>/pdf/", views.meeting_pdf_view, name="pdf"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
]
