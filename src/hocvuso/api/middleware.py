"""Errors under ``/api/`` are JSON ``{"detail": …}``, whoever produced them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from hocvuso.core.errors import status_message

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class JsonErrorsMiddleware:
    """Replace a non-JSON error response under ``/api/`` by ``{"detail": …}``.

    The endpoints answer their own errors as JSON (``hocvuso.api.urls``); this
    catches the rest: an unknown URL (Django's 404 page), a method the
    endpoint does not take (405), a CSRF failure (403), a server error (500,
    without its details). It runs after ``LocaleMiddleware``, so the message is
    in the request's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        json = JsonResponse(
            {"detail": status_message(response.status_code)},
            status=response.status_code,
        )
        for header in _KEPT_HEADERS:
            if header in response:
                json[header] = response[header]
        return json
