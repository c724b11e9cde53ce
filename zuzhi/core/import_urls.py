from django.http import HttpResponse
from django.urls import path

app_name = "imports"
urlpatterns = [
    path("<str:kind>/", lambda request, kind: HttpResponse("建设中"), name="upload"),
]
