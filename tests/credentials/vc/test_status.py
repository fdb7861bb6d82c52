from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client, override_settings

from hocvuso.credentials.vc.did import did_web
from hocvuso.credentials.vc.status import (
    MIN_LENGTH,
    bit_is_set,
    bitstring_decode,
    bitstring_encode,
    status_list_credential,
)
from hocvuso.credentials.vc.verify import credential_verify

from .conftest import LIST_URL

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_the_encoding_is_gzip_then_multibase_base64url() -> None:
    encoded = bitstring_encode([0, 9, MIN_LENGTH - 1])
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=="))
    assert len(raw) == MIN_LENGTH // 8
    # Bit 0 is the left-most bit of the first byte.
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and raw[-1] == 1
    assert bitstring_decode(encoded) == raw


def test_decode_reads_back_exactly_the_revoked_bits() -> None:
    revoked = {3, 8, 42, 1000, 131071}
    bits = bitstring_decode(bitstring_encode(revoked))
    assert {i for i in range(MIN_LENGTH) if bit_is_set(bits, i)} == revoked


def test_an_empty_list_is_all_zero_and_small() -> None:
    encoded = bitstring_encode([])
    assert not any(bitstring_decode(encoded))
    assert len(encoded) < 300


@pytest.mark.parametrize(
    ("revoked", "length"), [([MIN_LENGTH], MIN_LENGTH), ([-1], MIN_LENGTH), ([], 8)]
)
def test_bad_lists_are_refused(revoked: list[int], length: int) -> None:
    with pytest.raises(ValueError):
        bitstring_encode(revoked, length=length)


@pytest.mark.parametrize("encoded", ["zabc", "uAAAA", "u!!!"])
def test_garbled_lists_are_refused(encoded: str) -> None:
    with pytest.raises(ValueError):
        bitstring_decode(encoded)


def test_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError):
        bit_is_set(bytes(2), 16)


def test_the_status_list_credential_is_signed_and_verifies() -> None:
    doc = status_list_credential(LIST_URL, [5], now=NOW)
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["issuer"] == did_web()
    subject = doc["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert bit_is_set(bitstring_decode(subject["encodedList"]), 5)
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential_verify(doc, now=NOW).verified


def provide_lists(list_id: str) -> Iterable[int] | None:
    """A revocation provider for the view tests: list "1" has 42 revoked."""
    return [42] if list_id == "1" else None


@override_settings(
    HOCVUSO_REVOCATION_PROVIDER="tests.credentials.vc.test_status.provide_lists"
)
def test_the_view_serves_the_provider_s_list(client: Client) -> None:
    response = client.get("/credentials/status/1")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = json.loads(response.content)
    assert doc["id"] == LIST_URL
    bits = bitstring_decode(doc["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, 42) and not bit_is_set(bits, 41)
    assert credential_verify(doc, now=datetime.now(UTC)).verified
    assert client.get("/credentials/status/2").status_code == 404


def test_without_a_provider_no_list_exists(client: Client) -> None:
    assert client.get("/credentials/status/1").status_code == 404


@override_settings(
    HOCVUSO_REVOCATION_PROVIDER="tests.credentials.vc.test_status.provide_lists"
)
def test_without_a_signing_key_the_list_is_a_clean_503(
    client: Client, tmp_path: Path
) -> None:
    with override_settings(HOCVUSO_KEYS_DIR=tmp_path / "none"):
        response = client.get("/credentials/status/1")
    assert response.status_code == 503
    assert "hocvuso init" in json.loads(response.content)["detail"]
