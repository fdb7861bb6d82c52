"""Public pages with aggregates only (under /progress/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.programs import open_data, public_views

app_name = "progress"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public_views.unit_page, name="index"),
    path("data/indicators.csv", open_data.indicators_csv, name="indicators_csv"),
    path("data/units.csv", open_data.units_csv, name="units_csv"),
    path("data/datapackage.json", open_data.datapackage, name="datapackage"),
    path("data/catalog.jsonld", open_data.catalogue, name="catalogue"),
    path("<str:unit>/", public_views.unit_page, name="unit"),
    path("<str:unit>/widget/", public_views.widget, name="widget"),
]
