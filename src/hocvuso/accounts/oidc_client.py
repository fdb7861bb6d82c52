"""The OpenID Connect client (authlib's Django integration) and its checks.

The flow is the authorization code flow with PKCE (S256), a ``state`` and a
``nonce`` kept in the session by authlib. An answer is accepted only with an
ID token whose signature verifies against the provider's published keys
(JWKS) and whose issuer, audience, expiry and nonce are right; the claims of
the ``userinfo`` endpoint are added when the provider has one and they name
the same subject. Every failure becomes an :class:`~hocvuso.accounts.errors.
OidcError` with a message for people, never a 500.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from hocvuso.accounts.errors import (
    OidcClaimsMissing,
    OidcDenied,
    OidcError,
    OidcStateError,
    OidcTokenInvalid,
    OidcUnavailable,
)
from hocvuso.accounts.oidc_config import OidcConfig

logger = logging.getLogger(__name__)

# Discovery documents are re-read after this long (keys rotate, endpoints move).
_METADATA_TTL = 3600.0
_apps: dict[OidcConfig, tuple[DjangoOAuth2App, float]] = {}
_apps_lock = threading.Lock()


def oidc_app(config: OidcConfig) -> DjangoOAuth2App:
    """Return the authlib client of ``config`` (its discovery cached an hour)."""
    now = time.monotonic()
    with _apps_lock:
        cached = _apps.get(config)
        if cached is not None and now - cached[1] < _METADATA_TTL:
            return cached[0]
        registry = OAuth()
        app = registry.register(
            name="hocvuso",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.metadata_url,
            client_kwargs={
                "scope": config.scope,
                "code_challenge_method": "S256",
                "default_timeout": config.timeout,
            },
        )
        assert isinstance(app, DjangoOAuth2App)
        if len(_apps) > 8:
            _apps.clear()
        _apps[config] = (app, now)
        return app


def oidc_forget() -> None:
    """Drop the cached clients (and the discovery documents they hold)."""
    with _apps_lock:
        _apps.clear()


def _metadata(app: DjangoOAuth2App, config: OidcConfig) -> Mapping[str, Any]:
    metadata: Mapping[str, Any] = app.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer.rstrip("/"):
        # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer.
        logger.warning("OIDC discovery names another issuer than %s", config.issuer)
        oidc_forget()
        raise OidcUnavailable(_("The identity service is not set up correctly."))
    return metadata


@contextmanager
def _provider_errors() -> Iterator[None]:
    """Turn what authlib, joserfc and requests raise into ``OidcError``s."""
    try:
        yield
    except OidcError:
        raise
    except MismatchingStateError as exc:
        raise OidcStateError(
            _("This sign-in has expired or was started elsewhere. Please start again.")
        ) from exc
    except JoseError as exc:
        logger.warning("OIDC ID token refused: %s", type(exc).__name__)
        raise OidcTokenInvalid(
            _("The identity service's answer could not be checked. Please try again.")
        ) from exc
    except OAuthError as exc:
        if exc.error in ("access_denied", "consent_required", "login_required"):
            raise OidcDenied(
                _("Sign-in was cancelled at the identity service.")
            ) from exc
        if exc.error == "invalid_grant":
            # The code was used already or has expired (a reload, the back button).
            raise OidcStateError(
                _(
                    "This sign-in has expired or was started elsewhere. "
                    "Please start again."
                )
            ) from exc
        logger.warning("OIDC provider error: %s", exc.error)
        raise OidcUnavailable(
            _("The identity service refused the sign-in. Please try again later.")
        ) from exc
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError) as exc:
        logger.warning("OIDC provider unreachable: %s", type(exc).__name__)
        raise OidcUnavailable(
            _("The identity service cannot be reached right now. Please try later.")
        ) from exc


def oidc_authorize_redirect(
    request: HttpRequest, config: OidcConfig, *, redirect_uri: str
) -> HttpResponse:
    """Return the redirect to the provider (state, nonce, PKCE kept in session)."""
    with _provider_errors():
        app = oidc_app(config)
        _metadata(app, config)
        response: HttpResponse = app.authorize_redirect(request, redirect_uri)
        return response


def id_token_claims(
    app: DjangoOAuth2App, token: Mapping[str, Any], *, nonce: str, leeway: int
) -> dict[str, Any]:
    """Return the claims of ``token``'s ID token after checking it all.

    Checked: the signature (against the provider's JWKS and the algorithms its
    discovery document lists), ``iss``, ``aud`` (and ``azp``), ``exp`` and
    ``iat`` (with ``leeway`` seconds), ``nonce`` and ``at_hash``.
    """
    if not token.get("id_token"):
        raise OidcTokenInvalid(_("The identity service sent no ID token."))
    with _provider_errors():
        claims = app.parse_id_token(dict(token), nonce=nonce, leeway=leeway)
    return dict(claims)


def oidc_callback_claims(request: HttpRequest, config: OidcConfig) -> dict[str, Any]:
    """Finish the code flow on the callback; return the person's claims.

    The ID token is checked by :func:`id_token_claims` (through authlib's
    ``authorize_access_token``, which also checks ``state`` against the
    session and sends the PKCE verifier); userinfo claims are added under
    the ID token's, and only when they name the same subject.
    """
    with _provider_errors():
        app = oidc_app(config)
        _metadata(app, config)
        if not request.GET.get("error") and not request.GET.get("state"):
            raise MismatchingStateError()
        token = app.authorize_access_token(request, leeway=config.leeway)
        if not token.get("id_token") or "userinfo" not in token:
            # authlib skips the ID token when none is sent: refuse that here.
            raise OidcTokenInvalid(_("The identity service sent no ID token."))
        claims: dict[str, Any] = dict(token["userinfo"])
        if app.server_metadata.get("userinfo_endpoint"):
            extra = dict(app.userinfo(token=token))
            if extra.get("sub") != claims.get("sub"):
                raise OidcClaimsMissing(
                    _("The identity service's answers do not agree. Please try again.")
                )
            claims = extra | claims
    if not claims.get("sub"):
        raise OidcClaimsMissing(_("The identity service did not say who you are."))
    return claims


def oidc_logout_url(
    config: OidcConfig, request: HttpRequest, *, post_logout_redirect_uri: str
) -> str | None:
    """Return the provider's end-session URL for RP-initiated logout, if any.

    Sends ``client_id`` rather than an ``id_token_hint``, so no ID token (and
    none of the personal data it may carry) is kept in the session. Returns
    None when the provider has no ``end_session_endpoint`` or is unreachable:
    the local sign-out happens anyway.
    """
    try:
        with _provider_errors():
            app = oidc_app(config)
            if not _metadata(app, config).get("end_session_endpoint"):
                return None
            response = app.logout_redirect(
                request,
                post_logout_redirect_uri=post_logout_redirect_uri,
                client_id=config.client_id,
            )
    except OidcError:
        return None
    return str(response["Location"])
