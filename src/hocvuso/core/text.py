"""Vietnamese text helpers."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, spaces collapsed.

    ``fold("Xã Mỹ An Hưng") == "xa my an hung"``; the letter đ becomes d.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
