from __future__ import annotations

from django.urls import URLPattern, URLResolver

from hocvuso.credentials.vc_urls import urlpatterns as vc_urlpatterns

app_name = "credentials"

urlpatterns: list[URLPattern | URLResolver] = [*vc_urlpatterns]
