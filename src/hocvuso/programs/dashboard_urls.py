"""URLs of the programs dashboard pages (under /programs/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.programs import dashboard_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard_views.home, name="home"),
    path("<str:unit>/", dashboard_views.dashboard, name="dashboard"),
]
