from __future__ import annotations

from django.urls import URLPattern, URLResolver

from hocvuso.community.event_urls import urlpatterns as event_urlpatterns

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [*event_urlpatterns]
