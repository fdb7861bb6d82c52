from django.contrib.auth import views as auth_views
from django.urls import path

from hocvuso.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("assist/", views.assist_register, name="assist_register"),
    path("communes/", views.commune_options, name="commune_options"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_download, name="my_data_download"),
    path("privacy/", views.privacy, name="privacy"),
]
