"""URLs of the programs target pages (under /programs/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.programs import target_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("targets/", views.targets_home, name="targets"),
    path("targets/<str:unit>/", views.targets_unit, name="targets_unit"),
    path(
        "targets/<str:unit>/template/",
        views.template_download,
        name="targets_template",
    ),
    path("targets/<str:unit>/import/", views.import_page, name="targets_import"),
    path("population/", views.population_home, name="population"),
    path("population/<str:unit>/", views.population_unit, name="population_unit"),
    path("manual/", views.manual_home, name="manual_home"),
    path("manual/evidence/<uuid:pk>/", views.manual_evidence, name="manual_evidence"),
    path("manual/<str:unit>/", views.manual_unit, name="manual"),
    path("approval/", views.approval_home, name="approval"),
    path("approval/<str:unit>/", views.approval_unit, name="approval_unit"),
    path("approval/<str:unit>/act/", views.approval_act, name="approval_act"),
]
