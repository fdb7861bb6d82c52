"""Send the trusted-device cookie after a successful sign-in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from hocvuso.accounts.signin_limits import device_cookie_write


class DeviceCookieMiddleware:
    """Write the device cookie a sign-in asked for (see ``signin_limits``).

    Every sign-in form goes through the authentication backend, which marks the
    request; this writes the cookie on whatever response the form returns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        device_cookie_write(request, response)
        return response
