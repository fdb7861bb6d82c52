"""The issuer's key files: created once, rotated, never half-written."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import translation

from hocvuso.credentials.errors import SigningKeyMissing
from hocvuso.credentials.keys import (
    issuer_key_current,
    issuer_key_ensure,
    issuer_key_rotate,
    issuer_keys,
)

DAY1 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def test_no_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyMissing, match="hocvuso init"):
        issuer_key_current(tmp_path)
    assert issuer_keys(tmp_path / "absent") == []


def test_ensure_creates_once(tmp_path: Path) -> None:
    first, created = issuer_key_ensure(tmp_path, now=DAY1)
    again, created_again = issuer_key_ensure(tmp_path, now=DAY2)
    assert created and not created_again
    assert again.kid == first.kid and first.kid.startswith("20260301-")
    assert again.public_bytes == first.public_bytes
    pem = tmp_path / f"ed25519-{first.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_rotation_keeps_old_keys_and_signs_with_the_new(tmp_path: Path) -> None:
    old, _ = issuer_key_ensure(tmp_path, now=DAY1)
    new = issuer_key_rotate(tmp_path, now=DAY2)
    assert issuer_key_current(tmp_path).kid == new.kid
    assert [k.kid for k in issuer_keys(tmp_path)] == [old.kid, new.kid]
    signature = issuer_key_current(tmp_path).sign(b"payload")
    Ed25519PublicKey.from_public_bytes(new.public_bytes).verify(signature, b"payload")


def test_missing_current_file_is_reported_not_replaced(tmp_path: Path) -> None:
    key, _ = issuer_key_ensure(tmp_path, now=DAY1)
    (tmp_path / f"ed25519-{key.kid}.pem").unlink()
    with translation.override("en"), pytest.raises(SigningKeyMissing, match="missing"):
        issuer_key_ensure(tmp_path)
