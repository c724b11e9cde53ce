from django.urls import path

from . import views

app_name = "talent_demands"
urlpatterns = [
    path("", views.edition_list_view, name="list"),
    path("<int:pk>/", views.edition_detail_view, name="detail"),
    path("<int:pk>/edit/", views.edition_edit_view, name="edit"),
    path("<int:pk>/export/", views.edition_export_view, name="export"),
    path("<int:pk>/publish/", views.edition_publish_view, name="publish"),
    path("<int:pk>/unpublish/", views.edition_unpublish_view, name="unpublish"),
    path("<int:pk>/copy/", views.edition_copy_view, name="copy"),
    path("<int:pk>/entries/new/", views.entry_create_view, name="entry_create"),
    path("entries/<int:pk>/edit/", views.entry_edit_view, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete_view, name="entry_delete"),
]
