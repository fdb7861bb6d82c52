from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from hocvuso.api.urls import api
from hocvuso.core import views as core_views
from hocvuso.credentials import home as learner_home

handler400 = "hocvuso.core.views.error_400"
handler403 = "hocvuso.core.views.error_403"
handler404 = "hocvuso.core.views.error_404"
handler500 = "hocvuso.core.views.error_500"

urlpatterns = [
    path("", learner_home.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("accounts/", include("hocvuso.accounts.urls")),
    path("", include("hocvuso.packs.urls")),
    path("learn/", include("hocvuso.learning.urls")),
    path("assess/", include("hocvuso.assessment.urls")),
    path("", include("hocvuso.credentials.urls")),
    path("community/", include("hocvuso.community.urls")),
    path("programs/", include("hocvuso.programs.urls")),
    path("progress/", include("hocvuso.programs.public_urls")),
    path("help/", include("hocvuso.assistant.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
