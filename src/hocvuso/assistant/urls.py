from django.urls import path

from hocvuso.assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("report/", views.report, name="report"),
]
