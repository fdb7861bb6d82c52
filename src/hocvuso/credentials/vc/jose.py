"""VC-JOSE: a credential secured as a JWS (``application/vc+jwt``, EdDSA).

The W3C VC-JOSE-COSE form of the same credential, for verifiers that speak
JOSE rather than Data Integrity: the protected header is ``{"alg": "EdDSA",
"kid": "<did>#<kid>", "typ": "vc+jwt", "cty": "vc"}``, the payload the
credential itself (without ``proof``), the signature Ed25519 over
``base64url(header) + "." + base64url(payload)``. The key is resolved and
bound to the issuer exactly as for Data Integrity proofs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext

from hocvuso.credentials.keys import IssuerKey, issuer_key_current
from hocvuso.credentials.vc.did import did_web, verification_method_id
from hocvuso.credentials.vc.errors import CredentialError
from hocvuso.credentials.vc.loader import document_loader, is_pinned
from hocvuso.credentials.vc.sign import issuer_id_of
from hocvuso.credentials.vc.terms import context_urls, terms_check
from hocvuso.credentials.vc.verify import (
    KeyRefused,
    VerifyResult,
    dates_check,
    key_for,
)

MEDIA_TYPE = "application/vc+jwt"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(
        text + "=" * (-len(text) % 4), altchars=b"-_", validate=True
    )


def credential_jwt(
    document: Mapping[str, Any], *, key: IssuerKey | None = None, did: str | None = None
) -> str:
    """Return ``document`` (unsigned) secured as a compact JWS by the issuer key."""
    did = did or did_web()
    payload = {k: v for k, v in document.items() if k != "proof"}
    if issuer_id_of(payload) != did:
        raise CredentialError(
            gettext("The credential's issuer must be %(did)s.") % {"did": did}
        )
    if not all(is_pinned(url) for url in context_urls(payload)):
        raise CredentialError(
            gettext("The document names a context hocvuso does not know.")
        )
    terms_check(payload, document_loader())
    key = key or issuer_key_current()
    header = {
        "alg": "EdDSA",
        "kid": verification_method_id(key.kid, did),
        "typ": "vc+jwt",
        "cty": "vc",
    }
    signing_input = ".".join(
        _b64(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode())
        for part in (header, payload)
    )
    return f"{signing_input}.{_b64(key.sign(signing_input.encode()))}"


def _parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise KeyRefused(gettext("This is not a compact JWS."))
    try:
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise KeyRefused(gettext("This is not a compact JWS.")) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise KeyRefused(gettext("This is not a compact JWS."))
    return header, payload, signature, f"{parts[0]}.{parts[1]}".encode()


def credential_jwt_verify(
    token: str, *, now: datetime, did_document: Mapping[str, Any] | None = None
) -> tuple[VerifyResult, dict[str, Any] | None]:
    """Verify a ``vc+jwt`` offline; return the result and the credential in it."""
    try:
        header, payload, signature, signing_input = _parse(token)
        if header.get("alg") != "EdDSA" or header.get("typ") != "vc+jwt":
            raise KeyRefused(gettext("The JWS is not an EdDSA vc+jwt."))
        if not all(is_pinned(url) for url in context_urls(payload)):
            raise KeyRefused(
                gettext("The document names a context hocvuso does not know.")
            )
        terms_check(payload, document_loader())
        public = key_for(payload, str(header.get("kid", "")), did_document)
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, signing_input)
        except InvalidSignature as exc:
            raise KeyRefused(
                gettext("The signature does not match: the credential was changed.")
            ) from exc
    except KeyRefused as exc:
        return VerifyResult(False, [str(exc)]), None
    except CredentialError as exc:
        return VerifyResult(False, [exc.message]), None
    errors = dates_check(payload, now)
    return VerifyResult(not errors, errors), payload
