"""The HTTP API: one django-ninja router per app, errors as ``{"detail": …}``.

Every error an endpoint raises is mapped here, in the request's language:
``HocvusoError`` (the base of every app's errors) with its ``status``, and the
Django and ninja errors. Errors produced outside the endpoints (an unknown
URL, a method not allowed, a failed CSRF check) are turned into the same shape
by ``hocvuso.api.middleware.JsonErrorsMiddleware``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hocvuso import __version__
from hocvuso.accounts.api import router as accounts_router
from hocvuso.accounts.api_auth import CsrfSwagger
from hocvuso.assessment.api import router as assessment_router
from hocvuso.assistant.api import router as assistant_router
from hocvuso.community.api import router as community_router
from hocvuso.core.errors import HocvusoError, status_message
from hocvuso.framework.api import router as framework_router
from hocvuso.geo.api import router as geo_router
from hocvuso.learning.api import router as learning_router
from hocvuso.programs.api import router as programs_router
from hocvuso.programs.progress_api import router as progress_router

api = NinjaAPI(
    title="hocvuso API",
    version=__version__,
    description='Digital Literacy for All — open API. Errors: JSON {"detail": …}.',
    urls_namespace="api",
    docs_url="/docs",
    docs=CsrfSwagger(),
    openapi_url="/openapi.json",
)


_LOCATIONS = ("query", "body", "path", "form", "header", "cookie")
_NINJA_CSRF_MESSAGE = "CSRF check Failed"  # ninja.security.apikey


def _describe(errors: list[dict[str, Any]]) -> str:
    """Return ninja/pydantic errors as one readable line."""
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in _LOCATIONS)
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "; ".join(parts)


@api.exception_handler(HocvusoError)
def on_hocvuso_error(request: HttpRequest, exc: HocvusoError) -> HttpResponse:
    """Answer any app's error (accounts, assessment, framework, learning)."""
    return _detail(request, exc.message, exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(
    request: HttpRequest, exc: NinjaValidationError
) -> HttpResponse:
    detail = _("The data sent is not valid: %(errors)s") % {
        "errors": _describe(list(exc.errors))
    }
    return _detail(request, detail, 422, errors=list(exc.errors))


@api.exception_handler(ValidationError)
def on_django_validation_error(
    request: HttpRequest, exc: ValidationError
) -> HttpResponse:
    return _detail(request, "; ".join(exc.messages), 400)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(request, str(exc), 404)


@api.exception_handler(Ratelimited)
def on_ratelimited(request: HttpRequest, exc: Ratelimited) -> HttpResponse:
    return _detail(request, "", 429)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, str(exc), 403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _detail(request, "", 401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.message == _NINJA_CSRF_MESSAGE:
        detail = _("The security check failed. Reload the page and try again.")
        return _detail(request, detail, exc.status_code)
    return _detail(request, exc.message, exc.status_code)


def _detail(
    request: HttpRequest, detail: str, status: int, **extra: object
) -> HttpResponse:
    """Return ``{"detail": …}`` (the status's own message when ``detail`` is empty)."""
    body = {"detail": detail or status_message(status), **extra}
    return api.create_response(request, body, status=status)


api.add_router("/geo", geo_router, tags=["geo"])
api.add_router("/frameworks", framework_router, tags=["frameworks"])
api.add_router("/accounts", accounts_router, tags=["accounts"])
api.add_router("/learning", learning_router, tags=["learning"])
api.add_router("/assessment", assessment_router, tags=["assessment"])
api.add_router("/community", community_router, tags=["community"])
api.add_router("/assistant", assistant_router, tags=["assistant"])
api.add_router("/programs", programs_router, tags=["programs"])
api.add_router("/progress", progress_router, tags=["progress"])
