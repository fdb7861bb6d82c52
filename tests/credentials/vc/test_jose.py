from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.keys import issuer_key_current, issuer_key_rotate
from hocvuso.credentials.vc.did import did_document, did_web
from hocvuso.credentials.vc.errors import CredentialError, UndefinedTerm
from hocvuso.credentials.vc.jose import credential_jwt, credential_jwt_verify

from .conftest import NOW


def _part(token: str, index: int) -> Any:
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_the_jws_has_the_vc_jose_header_and_the_credential(
    unsigned: dict[str, Any],
) -> None:
    token = credential_jwt(unsigned)
    assert _part(token, 0) == {
        "alg": "EdDSA",
        "kid": f"{did_web()}#{issuer_key_current().kid}",
        "typ": "vc+jwt",
        "cty": "vc",
    }
    assert _part(token, 1) == unsigned
    result, credential = credential_jwt_verify(token, now=NOW)
    assert result.verified and credential == unsigned


def test_a_proof_is_not_put_in_the_payload(signed: dict[str, Any]) -> None:
    assert "proof" not in _part(credential_jwt(signed), 1)


def test_a_changed_payload_is_refused(unsigned: dict[str, Any]) -> None:
    header, _payload, signature = credential_jwt(unsigned).split(".")
    changed = dict(unsigned, validUntil="2099-01-01T00:00:00Z")
    body = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=")
    result, credential = credential_jwt_verify(
        f"{header}.{body.decode()}.{signature}", now=NOW
    )
    assert credential is None
    assert result.errors == [
        "The signature does not match: the credential was changed."
    ]


def test_a_key_of_another_did_is_refused(
    unsigned: dict[str, Any], tmp_path: Path
) -> None:
    stranger = issuer_key_rotate(tmp_path)
    token = credential_jwt(unsigned, key=stranger)
    result, _ = credential_jwt_verify(token, now=NOW)
    assert result.errors == [
        f"The key {did_web()}#{stranger.kid} is not in the issuer's DID document."
    ]
    result, _ = credential_jwt_verify(
        token, now=NOW, did_document=did_document([stranger])
    )
    assert result.verified


def test_an_expired_jwt_credential_is_refused(unsigned: dict[str, Any]) -> None:
    result, _ = credential_jwt_verify(
        credential_jwt(unsigned), now=datetime(2031, 3, 1, tzinfo=UTC)
    )
    assert result.errors == ["The credential has expired."]


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c", "e30.e30.AA"])
def test_garbled_tokens_are_refused(token: str) -> None:
    result, credential = credential_jwt_verify(token, now=NOW)
    assert not result.verified and result.errors and credential is None


def test_undefined_terms_and_other_issuers_are_not_signed(
    unsigned: dict[str, Any],
) -> None:
    with pytest.raises(UndefinedTerm, match="grade"):
        credential_jwt(dict(unsigned, grade="A"))
    with pytest.raises(CredentialError, match="issuer must be"):
        credential_jwt(dict(unsigned, issuer="did:web:other.example"))
