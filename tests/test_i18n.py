"""The Vietnamese catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

import hocvuso

LOCALE = Path(hocvuso.__file__).parent / "locale" / "vi" / "LC_MESSAGES"


def _entries(po: str) -> list[tuple[str, str, bool]]:
    """Return (msgid, msgstr, fuzzy) for every entry except the header.

    An entry with a context has the msgid ``context\x04msgid``, as in the
    compiled catalogue.
    """
    out: list[tuple[str, str, bool]] = []
    for block in po.split("\n\n"):
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            m = re.match(
                r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line
            )
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        msgid = parts.get("msgid")
        if msgid:
            msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
            if "msgctxt" in parts:
                msgid = parts["msgctxt"] + "\x04" + msgid
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


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "fr,en;q=0.5", ""])
def test_vietnamese_is_active_by_default(client: Client, accept: str) -> None:
    """A browser asking for English still gets Vietnamese until English is chosen."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert 'lang="vi"' in body and ">Đăng nhập<" in body
    assert ">Sign in<" not in body


@pytest.mark.django_db
def test_english_only_when_chosen(client: Client) -> None:
    """The language switch (a cookie) is what turns English on."""
    client.cookies["django_language"] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.headers["Content-Language"] == "en"
    assert ">Sign in<" in response.content.decode()
