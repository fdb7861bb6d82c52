"""The Vietnamese catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import hocvuso

LOCALE = Path(hocvuso.__file__).parent / "locale" / "vi" / "LC_MESSAGES"


def _entries(po: str) -> list[tuple[str, str, bool]]:
    """Return (msgid, msgstr, fuzzy) for every entry except the header."""
    out: list[tuple[str, str, bool]] = []
    for block in po.split("\n\n"):
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        msgid = parts.get("msgid")
        if msgid:
            msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
            out.append((msgid.replace('\\"', '"'), msgstr, "#, fuzzy" in block))
    return out


def test_every_message_is_translated() -> None:
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = _entries(po)
    assert len(entries) > 100
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert missing == []


def test_compiled_catalogue_matches_source() -> None:
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    with (LOCALE / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    compiled = {k if isinstance(k, str) else k[0] for k in catalogue if k}
    source = {msgid for msgid, _, _ in _entries(po) if msgid}
    assert source == compiled, "run `make messages` to recompile django.mo"


def test_vietnamese_is_active_by_default() -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext("Sign in") == "Đăng nhập"
