"""The eddsa-rdfc-2022 test vector of the W3C vc-di-eddsa specification.

``data/w3c-eddsa-rdfc-2022-*`` are the files of w3c/vc-di-eddsa
``TestVectors/`` (commit abb673eb9df673e24a8eaf939337de74759b5f8d): the key
pair, the unsigned Alumni credential, its canonical N-Quads and the signed
credential; ``credentials-examples-v2.jsonld`` is the published
``https://www.w3.org/ns/credentials/examples/v2`` context (one ``@vocab``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocvuso.credentials.vc.did import (
    multikey_decode,
    multikey_encode,
    multikey_secret_decode,
)
from hocvuso.credentials.vc.loader import document_loader
from hocvuso.credentials.vc.proof import canonize, proof_sign
from hocvuso.credentials.vc.verify import credential_verify

DATA = Path(__file__).parent / "data"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _extra() -> dict[str, Any]:
    return {EXAMPLES: _json("credentials-examples-v2.jsonld")}


def test_the_unsigned_vector_canonicalises_as_the_spec_says() -> None:
    canon = canonize(
        _json("w3c-eddsa-rdfc-2022-unsigned.json"), document_loader(_extra())
    )
    expected = (DATA / "w3c-eddsa-rdfc-2022-canonDocDataInt.txt").read_text()
    assert canon == expected


def test_signing_the_vector_gives_the_spec_proof_value() -> None:
    pair = _json("w3c-eddsa-rdfc-2022-keyPair.json")
    seed = multikey_secret_decode(pair["privateKeyMultibase"])
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert (
        multikey_encode(multikey_decode(pair["publicKeyMultibase"]))
        == (pair["publicKeyMultibase"])
    )
    expected = _json("w3c-eddsa-rdfc-2022-signedDataInt.json")
    signed = proof_sign(
        _json("w3c-eddsa-rdfc-2022-unsigned.json"),
        key=key,
        verification_method=expected["proof"]["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        loader=document_loader(_extra()),
    )
    assert signed == expected


def test_the_signed_vector_verifies() -> None:
    result = credential_verify(
        _json("w3c-eddsa-rdfc-2022-signedDataInt.json"),
        now=datetime(2024, 1, 1, tzinfo=UTC),
        extra_contexts=_extra(),
        bind_issuer=False,  # its issuer is an URL, its key a did:key
    )
    assert result.verified, result.errors


def test_the_vector_is_refused_when_the_key_must_be_the_issuer_s() -> None:
    result = credential_verify(
        _json("w3c-eddsa-rdfc-2022-signedDataInt.json"),
        now=datetime(2024, 1, 1, tzinfo=UTC),
        extra_contexts=_extra(),
    )
    assert not result.verified
    assert (
        "does not belong to the issuer https://vc.example/issuers/5678"
        in (result.errors[0])
    )


def test_a_changed_vector_does_not_verify() -> None:
    doc = _json("w3c-eddsa-rdfc-2022-signedDataInt.json")
    doc["credentialSubject"]["alumniOf"] = "Another School"
    result = credential_verify(
        doc,
        now=datetime(2024, 1, 1, tzinfo=UTC),
        extra_contexts=_extra(),
        bind_issuer=False,
    )
    assert result.errors == [
        "The signature does not match: the credential was changed."
    ]
