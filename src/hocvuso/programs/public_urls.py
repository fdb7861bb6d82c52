"""Public pages with aggregates only (under /progress/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "progress"

urlpatterns: list[URLPattern | URLResolver] = []
