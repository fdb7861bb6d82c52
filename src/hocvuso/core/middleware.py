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


class PrivateNoStoreMiddleware:
    """Send ``Cache-Control: no-store, private`` on signed-in responses.

    Phones and computers at commune service points are shared: a page with a
    person's data (their profile, results, sittings, supervision codes, the
    audit log, the API) must not stay in the browser's or a proxy's cache for
    the next person. A view that set its own ``Cache-Control`` keeps it (files
    the person downloads on purpose, for instance). Anonymous pages are
    untouched, so public pages stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "no-store, private"
        return response
