"""Errors of portable credentials."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class CredentialError(HocvusoError):
    """A credential cannot be signed or read as given (a bug or bad input)."""

    status = 422


class ContextNotPinned(CredentialError):
    """A document names a JSON-LD context that hocvuso does not ship."""


class UndefinedTerm(CredentialError):
    """A document uses a term that none of its contexts defines."""


class ContextTampered(CredentialError):
    """A shipped context file no longer has the bytes its manifest pins."""

    status = 503
