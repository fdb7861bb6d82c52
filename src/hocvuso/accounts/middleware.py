"""Send the trusted-device cookie after a sign-in; open CSP to the provider."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from hocvuso.accounts.oidc_config import oidc_config
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


class OidcFormActionMiddleware:
    """Let forms go on to the identity provider (CSP ``form-action``).

    Signing out and linking post a form here that redirects to the provider;
    browsers apply the page's ``form-action`` to that redirect, so the
    provider's origin is added while one is configured. Listed after
    ``csp.middleware.CSPMiddleware`` so that it marks the response first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        config = oidc_config()
        if config is not None:
            parts = urlsplit(config.issuer)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [
                *update.get("form-action", []),
                f"{parts.scheme}://{parts.netloc}",
            ]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
