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


def visible(text: str) -> str:
    """Return ``text`` as a person sees it: NFC, format characters gone, one space.

    Names are shown to officers, printed on certificates and searched: zero-width
    spaces (U+200B), bidirectional overrides (U+202E, which can show
    "Nguyễn" while holding its mirror) and other format characters (Unicode
    category Cf) are removed, so two names that look the same are the same.
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(kept.split())
