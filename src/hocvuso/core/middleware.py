"""Vietnamese first: the interface language is Vietnamese unless chosen."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language header.

    Many phones in Vietnam run with an English system language while their users
    read Vietnamese best, so the site speaks Vietnamese until the person picks
    English with the language switch (a cookie read by ``LocaleMiddleware``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
