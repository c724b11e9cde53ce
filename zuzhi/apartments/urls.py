from django.urls import path

from . import views

app_name = "apartments"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("mine/", views.mine_view, name="mine"),
    path("ending/", views.ending_view, name="ending"),
    path("buildings/new/", views.building_create_view, name="building_create"),
    path("buildings/<int:building_id>/", views.building_view, name="building"),
    path("buildings/<int:building_id>/flats/new/", views.flats_bulk_view, name="flats_bulk"),
    path("flats/", views.flat_list_view, name="flats"),
    path("flats/<int:flat_id>/", views.flat_view, name="flat"),
    path("flats/<int:flat_id>/status/", views.flat_status_view, name="flat_status"),
    path("flats/<int:flat_id>/allocate/", views.allocate_view, name="allocate"),
    path("allocations/", views.allocation_list_view, name="allocations"),
    path("allocations/export/", views.occupancy_export_view, name="export"),
    path("allocations/<int:allocation_id>/", views.allocation_view, name="allocation"),
    path("allocations/<int:allocation_id>/check-in/", views.check_in_view, name="check_in"),
    path("allocations/<int:allocation_id>/renew/", views.renew_view, name="renew"),
    path("allocations/<int:allocation_id>/return/", views.return_view, name="return"),
    path("allocations/<int:allocation_id>/cancel/", views.cancel_view, name="cancel"),
    path("allocations/<int:allocation_id>/inspect/", views.inspect_view, name="inspect"),
    path("applications/", views.application_list_view, name="applications"),
    path("applications/new/", views.application_create_view, name="application_create"),
    path(
        "applications/<int:application_id>/approve/",
        views.application_approve_view,
        name="application_approve",
    ),
    path(
        "applications/<int:application_id>/reject/",
        views.application_reject_view,
        name="application_reject",
    ),
]
