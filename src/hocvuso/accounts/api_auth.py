"""How the API knows who calls: a personal access token, or the browser session.

Apps and scripts send ``Authorization: Bearer hvs_…`` (a token made on
``/accounts/tokens/``); no CSRF token is needed then, as the browser never
adds that header by itself. Browser pages (and ``/api/docs``) use the session
cookie, whose writes need the ``X-CSRFToken`` header.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger, render_template
from ninja.security import HttpBearer, django_auth

from hocvuso.accounts.api_tokens import api_token_find, scope_for_method
from hocvuso.accounts.models import User


class ApiTokenAuth(HttpBearer):
    """Bearer personal access tokens, limited by their scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = api_token_find(token.strip())
        if found is None:
            raise HttpError(
                401, _("This API token is not valid: it is wrong, expired or revoked.")
            )
        needed = scope_for_method(request.method or "GET")
        if needed not in found.scopes:
            raise HttpError(
                403,
                _("This API token may not %(scope)s: make one with that scope.")
                % {"scope": needed},
            )
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


api_token_auth = ApiTokenAuth()
# Token first: a request with a token is not asked for a CSRF token.
session_or_token: list[Any] = [api_token_auth, django_auth]


class CsrfSwagger(Swagger):
    """Swagger UI that sends the CSRF header, so writes can be tried signed in.

    ninja adds the header only when the API's global auth needs CSRF; ours is
    set per router, so the docs page would send writes without it.
    """

    def render_page(
        self, request: HttpRequest, api: Any, **kwargs: Any
    ) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        self.settings["persistAuthorization"] = True
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render_template(request, self.template, self.template_cdn, context)
