from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.vc import loader
from hocvuso.credentials.vc.errors import ContextNotPinned, ContextTampered

CONTEXTS = Path(loader.__file__).parent / "contexts"


def test_every_shipped_context_has_its_pinned_hash() -> None:
    entries = loader.manifest()
    assert {e["url"] for e in entries} == {
        loader.CREDENTIALS_V2,
        loader.OB_V3,
        loader.DATA_INTEGRITY_V2,
        loader.MULTIKEY_V1,
        loader.DID_V1,
    }
    for entry in entries:
        raw = (CONTEXTS / entry["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == entry["sha256"], entry["file"]
        assert loader.context_bytes(entry["url"]) == raw
    assert set(loader.pinned_contexts()) == {e["url"] for e in entries}


def test_a_changed_byte_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "contexts"
    shutil.copytree(CONTEXTS, copy)
    target = copy / "ob-v3p0-3.0.3.json"
    raw = bytearray(target.read_bytes())
    raw[raw.index(b"OpenBadgeCredential")] = ord("o")
    target.write_bytes(bytes(raw))
    monkeypatch.setattr(loader, "_folder", lambda: copy)
    assert loader.context_bytes(loader.CREDENTIALS_V2)
    with pytest.raises(ContextTampered, match=r"ob-v3p0-3\.0\.3\.json"):
        loader.context_bytes(loader.OB_V3)


def test_the_loader_serves_pinned_and_extra_documents_only() -> None:
    extra: dict[str, Any] = {"did:web:example.org": {"id": "did:web:example.org"}}
    load = loader.document_loader(extra)
    assert load(loader.OB_V3, None)["document"]["@context"]["@protected"] is True
    assert load("did:web:example.org", None)["document"] == extra["did:web:example.org"]
    with pytest.raises(ContextNotPinned, match=r"schema\.org"):
        load("https://schema.org/", None)


def test_served_documents_are_copies() -> None:
    load = loader.document_loader()
    load(loader.DID_V1, None)["document"]["@context"] = "changed"
    assert load(loader.DID_V1, None)["document"]["@context"] != "changed"
