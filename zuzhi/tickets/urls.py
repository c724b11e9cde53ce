from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("export/", views.export_view, name="export"),
    path("mine/", views.mine_view, name="mine"),
    path("new/", views.create_view, name="create"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/accept/", views.accept_view, name="accept"),
    path("<int:pk>/start/", views.start_view, name="start"),
    path("<int:pk>/pass-to-team/", views.pass_to_team_view, name="pass_to_team"),
    path("<int:pk>/take/", views.take_view, name="take"),
    path("<int:pk>/resolve/", views.resolve_view, name="resolve"),
    path("<int:pk>/reassign/", views.reassign_view, name="reassign"),
    path("<int:pk>/close/", views.close_view, name="close"),
    path("<int:pk>/attach/", views.attach_view, name="attach"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
    path("teams/", views.teams_view, name="teams"),
    path("teams/new/", views.team_create_view, name="team_create"),
    path("teams/<int:pk>/", views.team_view, name="team"),
    path("teams/<int:pk>/edit/", views.team_edit_view, name="team_edit"),
    path("types/", views.types_view, name="types"),
    path("types/defaults/", views.types_defaults_view, name="types_defaults"),
    path("types/<int:pk>/", views.type_edit_view, name="type_edit"),
]
