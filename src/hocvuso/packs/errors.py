"""Errors of content packs; their messages can be shown to content authors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hocvuso.core.errors import HocvusoError


@dataclass(frozen=True, order=True)
class Issue:
    """One problem of a pack, at a file and line, for its author to fix."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackError(HocvusoError):
    """Base class of content-pack errors."""


class PackSourceError(PackError):
    """The pack cannot be opened (not a folder or zip, unsafe paths, too big)."""


class PackInvalid(PackError):
    """The content pack has problems; nothing was imported."""

    status = 422

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(f"the pack has {len(self.issues)} problem(s)")


class PackNotFound(PackError):
    """No content pack has this id."""

    status = 404
