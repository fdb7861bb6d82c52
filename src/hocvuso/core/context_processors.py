from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Expose the site name and privacy policy version to every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "PRIVACY_POLICY_VERSION": settings.HOCVUSO_PRIVACY_POLICY_VERSION,
        "LARGE_TEXT": request.COOKIES.get("hvs_text") == "large",
    }
