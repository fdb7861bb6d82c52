"""Errors of the credentials app."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class SigningKeyMissing(HocvusoError):
    """No issuer key exists yet (``hocvuso init`` creates one)."""

    status = 503


class CredentialsError(HocvusoError):
    """Base of the errors about confirmations and certificates."""


class NotAllowed(CredentialsError):
    status = 403


class NotFound(CredentialsError):
    status = 404


class EvidenceMissing(CredentialsError):
    """The result does not meet the rules of a confirmed result."""

    status = 409


class AlreadyRevoked(CredentialsError):
    status = 409


class ReasonRequired(CredentialsError):
    status = 422
