from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from hocvuso.credentials import views
from hocvuso.credentials.vc_urls import urlpatterns as vc_urlpatterns

app_name = "credentials"

urlpatterns: list[URLPattern | URLResolver] = [
    *vc_urlpatterns,
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>", views.verify, name="verify"),
    path("certificates/", views.mine, name="mine"),
    path(
        "certificates/<str:certificate_id>/certificate.pdf",
        views.download,
        name="download",
    ),
    path(
        "certificates/<str:certificate_id>/credential.json",
        views.download_credential,
        name="download_credential",
    ),
    path("certificates/manage/", views.officer_results, name="officer_results"),
    path(
        "certificates/manage/<str:result_id>/",
        views.officer_result,
        name="officer_result",
    ),
    path(
        "certificates/manage/<str:result_id>/confirm",
        views.officer_confirm,
        name="officer_confirm",
    ),
    path(
        "certificates/manage/<str:result_id>/revoke",
        views.officer_revoke,
        name="officer_revoke",
    ),
    path(
        "certificates/manage/<str:result_id>/reissue",
        views.officer_reissue,
        name="officer_reissue",
    ),
]
