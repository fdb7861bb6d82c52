"""Remove what could name a person from a question before it is logged."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Runs of 8 or more digits, allowing spaces, dots and dashes between groups:
# phone numbers (10 digits, +84…) and ID numbers (9 or 12 digits).
_NUMBER = re.compile(r"\+?\d(?:[\s.-]?\d){7,}")


def scrub(question: str) -> str:
    """Return ``question`` with e-mail addresses, phone and ID numbers replaced."""
    text = _EMAIL.sub("[email]", question)
    return _NUMBER.sub("[số]", text)
