"""Account errors; each maps to an HTTP status in the API and the pages."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class AccountError(HocvusoError):
    """Base class for account errors with a message safe to show to users."""


class PermissionDeniedError(AccountError):
    """The actor may not do this."""

    status = 403


class ClaimRefused(AccountError):
    """A claim code is wrong, used, voided or expired (one answer for all)."""

    status = 400


class OidcError(AccountError):
    """Sign-in with the identity provider did not succeed; shown on a page."""

    status = 400


class OidcDenied(OidcError):
    """The person cancelled at the provider or refused consent."""

    status = 403


class OidcStateError(OidcError):
    """The answer does not belong to a sign-in this browser started."""


class OidcUnavailable(OidcError):
    """The provider could not be reached or answered with an error."""

    status = 503


class OidcTokenInvalid(OidcError):
    """The ID token is forged, expired, for another site or another sign-in."""


class OidcClaimsMissing(OidcError):
    """The provider did not say who the person is."""


class OidcLinkConflict(OidcError):
    """The identity cannot be linked to this account."""

    status = 409
