"""Errors of the credentials app."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class SigningKeyMissing(HocvusoError):
    """No issuer key exists yet (``hocvuso init`` creates one)."""

    status = 503
