"""Exceptions raised by the psychometrics package.

Every exception derives from :class:`PsychometricsError`, so callers (the web layer,
the CLI) can catch one type.  Validation problems with arguments also derive from
:class:`ValueError` so that plain library use behaves like NumPy and SciPy.
"""

from __future__ import annotations

__all__ = [
    "CatSessionError",
    "InputFormatError",
    "PsychometricsError",
]


class PsychometricsError(Exception):
    """Base class of every error raised by :mod:`hocvuso.psychometrics`."""


class InputFormatError(PsychometricsError, ValueError):
    """A CSV file does not follow the documented format.

    Parameters
    ----------
    path : str
        Name of the file as given by the user.
    line : int or None
        1-based physical line number of the offending row (the header is line 1),
        or ``None`` when the problem concerns the whole file.
    message : str
        What is wrong, phrased for a content editor.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path} line {line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class CatSessionError(PsychometricsError):
    """A CAT session was used out of order or restored against another bank."""
