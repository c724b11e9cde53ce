from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.arrears_view, name="arrears"),
    path("member/<int:member_pk>/", views.ledger_view, name="ledger"),
    path("exemptions/<int:pk>/", views.exemption_decide_view, name="decide"),
]
