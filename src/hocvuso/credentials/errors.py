"""Errors of the credentials app."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class SigningKeyMissing(HocvusoError):
    """No issuer key exists yet (``hocvuso init`` creates one)."""

    status = 503


class OutboxPayloadInvalid(HocvusoError):
    """An outbox payload does not follow its schema or holds personal data."""

    status = 422


class OutboxEventNotFound(HocvusoError):
    """No outbox event has this id."""

    status = 404


class OutboxConflict(HocvusoError):
    """The same idempotency key was enqueued with a different event."""

    status = 409
