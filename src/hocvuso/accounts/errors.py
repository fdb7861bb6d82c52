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
