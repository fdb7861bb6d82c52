"""Framework errors; each maps to an HTTP status in the API."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class FrameworkError(HocvusoError):
    """Base class for framework data problems."""


class FrameworkDataError(FrameworkError):
    """A framework or target-group data file is malformed."""

    status = 422


class FrameworkLocked(FrameworkError):
    """The framework version is referenced by results and cannot change."""

    status = 409
