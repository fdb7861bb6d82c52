"""Compact JWS (EdDSA, Ed25519) of outbox deliveries, and the issuer's JWKS.

joserfc (by the author of authlib, whose ``authlib.jose`` it supersedes) is
typed, keeps the algorithm allow-list explicit at every call and reads the
issuer's PKCS#8 keys directly. The header is ``{"alg": "EdDSA", "kid": …,
"typ": "hocvuso-outbox+jwt"}``; joserfc warns that RFC 9864 prefers the
fully-specified name "Ed25519" for the same algorithm, but "EdDSA" is what
every JOSE library verifies today, so it is used and the warning silenced here.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from hocvuso.credentials.keys import IssuerKey

ALGORITHMS = ["EdDSA", "Ed25519"]
TYP = "hocvuso-outbox+jwt"


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*EdDSA is deprecated.*")
        yield


_OKP: dict[tuple[str, bytes], OKPKey] = {}


def _okp(key: IssuerKey) -> OKPKey:
    """Return the joserfc key of ``key`` (imported once per process)."""
    cached = _OKP.get((key.kid, key.public_bytes))
    if cached is not None:
        return cached
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    okp = OKPKey.import_key(pem, {"kid": key.kid})
    _OKP[(key.kid, key.public_bytes)] = okp
    return okp


def jws_sign(claims: Mapping[str, Any], key: IssuerKey) -> str:
    """Return the compact JWS of ``claims`` (compact JSON) signed by ``key``."""
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    header = {"alg": "EdDSA", "kid": key.kid, "typ": TYP}
    with _quiet():
        return jws.serialize_compact(header, body, _okp(key), algorithms=["EdDSA"])


def jwks_of(keys: Sequence[IssuerKey]) -> dict[str, list[dict[str, Any]]]:
    """Return the public JWKS of the issuer's keys (current and retired)."""
    out = []
    for key in keys:
        public = dict(_okp(key).as_dict(private=False))
        public.update(kid=key.kid, use="sig", alg="EdDSA")
        out.append(public)
    return {"keys": out}


class JwsInvalid(Exception):
    """A token that does not verify against the key set."""


def jws_verify(token: str, jwks: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Return (claims, kid) of a compact JWS verified against ``jwks``."""
    try:
        key_set = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        with _quiet():
            obj = jws.deserialize_compact(token, key_set, algorithms=ALGORITHMS)
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError) as exc:
        raise JwsInvalid(type(exc).__name__) from exc
    if not isinstance(claims, dict):
        raise JwsInvalid("claims")
    return claims, str(obj.protected.get("kid", ""))
