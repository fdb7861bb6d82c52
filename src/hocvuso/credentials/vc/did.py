"""The issuer as did:web: its DID, DID document and JWKS, and Multikey encoding.

The DID is derived from ``HOCVUSO_PUBLIC_URL`` as the did:web method says:
the host (a port is percent-encoded, ``127.0.0.1%3A8000``) and, when the URL
has a path, each path segment after a colon. ``did:web:host`` resolves to
``https://host/.well-known/did.json``, ``did:web:host:a:b`` to
``https://host/a/b/did.json``; the site serves the document at both paths
relative to where it is mounted. Every issuer key, current or retired, is a
``Multikey`` verification method with an absolute id ``<did>#<kid>`` listed
under ``assertionMethod``: what old keys signed keeps verifying, while only
the current key signs.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import base58
from django.conf import settings

from hocvuso.credentials.keys import IssuerKey, issuer_keys
from hocvuso.credentials.vc.loader import DID_V1, MULTIKEY_V1

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


def multikey_encode(public_bytes: bytes) -> str:
    """Return the ``publicKeyMultibase`` (z + base58btc) of a raw Ed25519 key."""
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + public_bytes).decode()


def multikey_decode(value: str) -> bytes:
    """Return the raw 32-byte Ed25519 key of a ``publicKeyMultibase``.

    Raise ``ValueError`` if it is not a base58btc Ed25519 Multikey.
    """
    if not value.startswith("z"):
        raise ValueError("not base58btc multibase")
    raw = base58.b58decode(value[1:])
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 public key")
    return raw[2:]


def multikey_secret_decode(value: str) -> bytes:
    """Return the 32-byte Ed25519 seed of a ``secretKeyMultibase``."""
    raw = base58.b58decode(value.removeprefix("z"))
    if not raw.startswith(ED25519_PRIV_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 secret key")
    return raw[2:]


def did_web(public_url: str | None = None) -> str:
    """Return the did:web of the site at ``public_url`` (``HOCVUSO_PUBLIC_URL``)."""
    parts = urlsplit(public_url or settings.HOCVUSO_PUBLIC_URL)
    host = parts.hostname or "localhost"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", quote(host, safe=""), *segments])


def did_web_url(did: str) -> str:
    """Return the https URL a did:web resolves to (for documentation and tests)."""
    parts = did.removeprefix("did:web:").split(":")
    host = parts[0].replace("%3A", ":").replace("%3a", ":")
    path = "/".join(parts[1:])
    return (
        f"https://{host}/{path}/did.json"
        if path
        else (f"https://{host}/.well-known/did.json")
    )


def verification_method_id(kid: str, did: str | None = None) -> str:
    """Return the absolute id ``<did>#<kid>`` of a key."""
    return f"{did or did_web()}#{kid}"


def did_document(
    keys: Sequence[IssuerKey] | None = None, *, did: str | None = None
) -> dict[str, Any]:
    """Return the issuer's DID document listing ``keys`` (default: all keys)."""
    did = did or did_web()
    methods = [
        {
            "id": verification_method_id(key.kid, did),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey_encode(key.public_bytes),
        }
        for key in (issuer_keys() if keys is None else keys)
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwks(keys: Iterable[IssuerKey] | None = None) -> dict[str, Any]:
    """Return every issuer key as a JSON Web Key Set (OKP / Ed25519)."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url(key.public_bytes),
                "kid": key.kid,
                "alg": "EdDSA",
                "use": "sig",
            }
            for key in (issuer_keys() if keys is None else keys)
        ]
    }


def did_document_method(
    did_doc: Mapping[str, Any], method_id: str
) -> Mapping[str, Any] | None:
    """Return the verification method ``method_id`` of ``did_doc``, or None."""
    for method in did_doc.get("verificationMethod", []):
        if isinstance(method, Mapping) and method.get("id") == method_id:
            return method
    return None


def public_url(path: str) -> str:
    """Return the absolute URL of ``path`` (relative to the site's root)."""
    return f"{settings.HOCVUSO_PUBLIC_URL.rstrip('/')}/{path.lstrip('/')}"
