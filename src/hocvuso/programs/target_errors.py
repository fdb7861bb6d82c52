"""Errors of targets, populations, manual values and approval (with HTTP status)."""

from __future__ import annotations

from dataclasses import dataclass

from hocvuso.core.errors import HocvusoError


class SteerError(HocvusoError):
    """Base class: a message safe to show to officers."""


class SteerNotAllowed(SteerError):
    """The officer may not do this for this unit."""

    status = 403


class SteerInvalid(SteerError):
    """The value, indicator, group or month is not acceptable."""

    status = 422


class SteerConflict(SteerError):
    """The period's state does not allow this step (approved, not submitted…)."""

    status = 409


@dataclass(frozen=True)
class CellError:
    """One problem in an imported file, where the officer can find it."""

    row: int
    column: str  # the spreadsheet letter ("C"), "" for the whole row or file
    header: str
    message: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column and self.row else ""


class ImportRejected(SteerInvalid):
    """The file has errors: nothing was changed; ``errors`` lists them all."""

    def __init__(self, message: str, errors: list[CellError]) -> None:
        super().__init__(message)
        self.errors = errors
