"""The HTTP API: one django-ninja router per app, errors as ``{"detail": …}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hocvuso import __version__
from hocvuso.accounts.api import router as accounts_router
from hocvuso.assessment.api import router as assessment_router
from hocvuso.assessment.errors import AssessmentError
from hocvuso.framework.api import router as framework_router
from hocvuso.geo.api import router as geo_router
from hocvuso.learning.api import router as learning_router

api = NinjaAPI(
    title="hocvuso API",
    version=__version__,
    description='Digital Literacy for All — open API. Errors: JSON {"detail": …}.',
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


_LOCATIONS = ("query", "body", "path", "form", "header", "cookie")


def _describe(errors: list[dict[str, Any]]) -> str:
    """Return ninja/pydantic errors as one readable line."""
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in _LOCATIONS)
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "; ".join(parts)


@api.exception_handler(NinjaValidationError)
def on_validation_error(
    request: HttpRequest, exc: NinjaValidationError
) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Dữ liệu không hợp lệ: " + _describe(list(exc.errors)),
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(ValidationError)
def on_django_validation_error(
    request: HttpRequest, exc: ValidationError
) -> HttpResponse:
    detail = "; ".join(exc.messages)
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Không tìm thấy."}, status=404
    )


@api.exception_handler(AssessmentError)
def on_assessment_error(request: HttpRequest, exc: AssessmentError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(Ratelimited)
def on_ratelimited(request: HttpRequest, exc: Ratelimited) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."},
        status=429,
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Bạn không có quyền làm việc này."}, status=403
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Bạn cần đăng nhập."}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


api.add_router("/geo", geo_router, tags=["geo"])
api.add_router("/frameworks", framework_router, tags=["frameworks"])
api.add_router("/accounts", accounts_router, tags=["accounts"])
api.add_router("/learning", learning_router, tags=["learning"])
api.add_router("/assessment", assessment_router, tags=["assessment"])
