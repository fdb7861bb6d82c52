"""URLs under /programs/: each area of the app keeps its own module."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from hocvuso.programs import dashboard_urls, report_urls, target_urls, task_urls

app_name = "programs"

urlpatterns: list[URLPattern | URLResolver] = [
    *target_urls.urlpatterns,
    *report_urls.urlpatterns,
    *task_urls.urlpatterns,
    *dashboard_urls.urlpatterns,  # last: it holds the catch-all /programs/<unit>/
]
