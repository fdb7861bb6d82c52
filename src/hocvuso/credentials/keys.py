"""The issuer's Ed25519 signing keys, kept as files outside the database.

``HOCVUSO_KEYS_DIR`` (``<data dir>/keys`` by default) holds one PKCS#8 PEM file
per key, ``ed25519-<kid>.pem`` (mode 0600), and a file ``current`` naming the
key that signs now. Rotation writes a new key and points ``current`` at it;
older keys stay, so what they signed still verifies (their public keys stay
listed in the issuer's DID document and JWKS), but only the current key signs.
A key id is ``<yyyymmdd>-<first 8 hex digits of the SHA-256 of the public
key>``: stable, sortable by age, and unique in practice. Writes are atomic
(temporary file, then rename), so a crash never leaves half a key.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from hocvuso.credentials.errors import SigningKeyMissing

PREFIX = "ed25519-"
CURRENT = "current"


@dataclass(frozen=True)
class IssuerKey:
    """One Ed25519 key of the issuer."""

    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_bytes(self) -> bytes:
        """Return the raw 32-byte public key."""
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``."""
        return self.private_key.sign(data)


def keys_dir() -> Path:
    """Return the folder of the issuer's keys (``HOCVUSO_KEYS_DIR``)."""
    return Path(settings.HOCVUSO_KEYS_DIR)


def _kid(key: Ed25519PrivateKey, created: datetime) -> str:
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return f"{created:%Y%m%d}-{hashlib.sha256(raw).hexdigest()[:8]}"


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path) -> IssuerKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(
            gettext("%(file)s is not an Ed25519 key.") % {"file": path.name}
        )
    return IssuerKey(kid=path.stem.removeprefix(PREFIX), private_key=key)


def issuer_keys(directory: Path | None = None) -> list[IssuerKey]:
    """Return every issuer key, current or retired, oldest first."""
    folder = directory or keys_dir()
    if not folder.is_dir():
        return []
    return [_load(path) for path in sorted(folder.glob(f"{PREFIX}*.pem"))]


def issuer_key_current(directory: Path | None = None) -> IssuerKey:
    """Return the key that signs now; raise :class:`SigningKeyMissing` if none."""
    folder = directory or keys_dir()
    marker = folder / CURRENT
    if not marker.is_file():
        raise SigningKeyMissing(
            gettext("The issuer has no signing key yet: run “hocvuso init”.")
        )
    path = folder / f"{PREFIX}{marker.read_text().strip()}.pem"
    if not path.is_file():
        raise SigningKeyMissing(
            gettext("The current signing key file %(file)s is missing.")
            % {"file": path.name}
        )
    return _load(path)


def issuer_key_rotate(
    directory: Path | None = None, *, now: datetime | None = None
) -> IssuerKey:
    """Create a new key and make it the one that signs; keep the older ones."""
    folder = directory or keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    kid = _kid(private, now or timezone.now())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomic(folder / f"{PREFIX}{kid}.pem", pem)
    _write_atomic(folder / CURRENT, kid.encode())
    return IssuerKey(kid=kid, private_key=private)


def issuer_key_ensure(
    directory: Path | None = None, *, now: datetime | None = None
) -> tuple[IssuerKey, bool]:
    """Return the current key, creating the first one if there is none.

    A folder that has keys but no usable current one is reported, never
    silently given a new key: what the old keys signed must stay verifiable.
    """
    folder = directory or keys_dir()
    if (folder / CURRENT).is_file() or issuer_keys(folder):
        return issuer_key_current(folder), False
    return issuer_key_rotate(folder, now=now), True
