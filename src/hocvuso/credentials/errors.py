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


class OutboxPayloadInvalid(HocvusoError):
    """An outbox payload does not follow its schema or holds personal data."""

    status = 422


class OutboxEventNotFound(HocvusoError):
    """No outbox event has this id."""

    status = 404


class OutboxConflict(HocvusoError):
    """The same idempotency key was enqueued with a different event."""

    status = 409
