"""URLs of the programs report pages (under /programs/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.programs import report_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", report_views.reports_home, name="reports_home"),
    path("reports/job/<uuid:job_id>/", report_views.export_job, name="export_job"),
    path(
        "reports/job/<uuid:job_id>/status/",
        report_views.export_job_status,
        name="export_job_status",
    ),
    path(
        "reports/job/<uuid:job_id>/file/",
        report_views.export_download,
        name="export_download",
    ),
    path("reports/<str:unit>/", report_views.reports_page, name="reports"),
    path("reports/<str:unit>/csv/", report_views.report_csv, name="report_csv"),
]
