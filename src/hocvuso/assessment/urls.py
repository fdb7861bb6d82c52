from django.urls import path

from hocvuso.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/<slug:group>/", views.start, name="start"),
    path("s/<str:session_id>/", views.session, name="session"),
    path("results/<str:result_id>/", views.result, name="result"),
    path("supervise/", views.supervise, name="supervise"),
    path(
        "supervise/<str:supervision_id>/",
        views.supervision_detail,
        name="supervision_detail",
    ),
    path(
        "supervise/<str:supervision_id>/check/<str:session_id>/",
        views.sitting_check,
        name="sitting_check",
    ),
]
