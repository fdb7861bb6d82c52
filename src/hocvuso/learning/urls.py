from django.urls import path

from hocvuso.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("me/", views.my_learning, name="my_learning"),
    path("text-size/", views.text_size, name="text_size"),
    path("language/", views.lesson_language, name="language"),
    path("help/voice/", views.voice_help, name="voice_help"),
    path("<slug:course>/", views.course_detail, name="course"),
    path("<slug:course>/<slug:lesson>/", views.lesson_detail, name="lesson"),
    path("<slug:course>/<slug:lesson>/check/", views.lesson_check, name="check"),
    path("<slug:course>/<slug:lesson>/done/", views.lesson_done, name="done"),
]
