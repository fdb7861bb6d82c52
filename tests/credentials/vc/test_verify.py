from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.keys import issuer_key_current, issuer_key_rotate
from hocvuso.credentials.vc.badge import badge_build
from hocvuso.credentials.vc.did import did_document, did_web
from hocvuso.credentials.vc.errors import CredentialError
from hocvuso.credentials.vc.proof import proof_sign
from hocvuso.credentials.vc.sign import credential_sign
from hocvuso.credentials.vc.status import status_list_credential
from hocvuso.credentials.vc.verify import credential_verify

from .conftest import ISSUED, LIST_URL, NOW, make_input


def test_a_good_credential_verifies(signed: dict[str, Any]) -> None:
    result = credential_verify(signed, now=NOW)
    assert result.verified and result.errors == []
    assert result.warnings == ["Revocation was not checked: no status list given."]


def test_the_badge_has_the_open_badges_shape(signed: dict[str, Any]) -> None:
    assert signed["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert signed["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed["issuer"]["type"] == ["Profile"]
    subject = signed["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    (identity,) = subject["identifier"]
    assert identity["hashed"] is True and identity["identityType"] == "identifier"
    assert identity["identityHash"].startswith("sha256$")
    assert "3f0c6a2e" not in str(signed)  # the raw identifier is not in it
    (_first, code_2) = subject["achievement"]["alignment"]
    assert (code_2["targetCode"], code_2["targetFramework"]) == (
        "4.2",
        "Circular 02/2025/TT-BGDĐT",
    )
    assert subject["result"][0]["achievedLevel"].endswith("#level-2")
    assert signed["credentialStatus"]["statusListIndex"] == "42"
    proof = signed["proof"]
    assert proof["verificationMethod"] == (
        f"did:web:127.0.0.1%3A8000#{issuer_key_current().kid}"
    )
    assert proof["created"] == "2026-03-01T08:00:00Z"


def test_the_recipient_hash_is_sha256_of_identifier_and_salt() -> None:
    recipient = make_input().recipient
    digest = hashlib.sha256(
        b"3f0c6a2e-1b7d-4e55-9a40-2c1d2d0b9e11" + b"b9d1c0ffee"
    ).hexdigest()
    assert recipient.identity_hash == f"sha256${digest}"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"]["achievement"].update(name="Tiến sĩ"),
        lambda d: d["credentialSubject"]["identifier"][0].update(salt="x"),
        lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
        lambda d: d["credentialStatus"].update(statusListIndex="43"),
        lambda d: d["proof"].update(created="2026-03-02T08:00:00Z"),
    ],
)
def test_a_tampered_field_is_refused(signed: dict[str, Any], change: Any) -> None:
    doc = copy.deepcopy(signed)
    change(doc)
    result = credential_verify(doc, now=NOW)
    assert not result.verified
    assert result.errors == [
        "The signature does not match: the credential was changed."
    ]


def test_a_key_missing_from_the_did_document_is_refused(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    stranger = issuer_key_rotate(tmp_path)
    doc = proof_sign(
        {k: v for k, v in signed.items() if k != "proof"},
        key=stranger,
        verification_method=f"{did_web()}#{stranger.kid}",
        created=ISSUED,
    )
    result = credential_verify(doc, now=NOW)
    assert result.errors == [
        f"The key {did_web()}#{stranger.kid} is not in the issuer's DID document."
    ]


def test_a_key_of_another_did_is_not_the_issuer_s(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    stranger = issuer_key_rotate(tmp_path)
    other = did_document([stranger], did="did:web:attacker.example")
    doc = proof_sign(
        {k: v for k, v in signed.items() if k != "proof"},
        key=stranger,
        verification_method=f"did:web:attacker.example#{stranger.kid}",
        created=ISSUED,
    )
    result = credential_verify(doc, now=NOW, did_document=other)
    assert not result.verified
    assert (
        "does not belong to the issuer did:web:127.0.0.1%3A8000" in (result.errors[0])
    )


def test_a_key_not_listed_for_assertions_is_refused(signed: dict[str, Any]) -> None:
    doc = did_document()
    doc["assertionMethod"] = []
    result = credential_verify(signed, now=NOW, did_document=doc)
    assert "may not sign credentials" in result.errors[0]


def test_relative_assertion_references_are_resolved(signed: dict[str, Any]) -> None:
    doc = did_document()
    doc["assertionMethod"] = ["#" + m.split("#")[1] for m in doc["assertionMethod"]]
    assert credential_verify(signed, now=NOW, did_document=doc).verified


def test_a_did_document_of_another_did_is_refused(signed: dict[str, Any]) -> None:
    doc = did_document(did="did:web:other.example")
    result = credential_verify(signed, now=NOW, did_document=doc)
    assert result.errors == [
        "The DID document given is not the one of did:web:127.0.0.1%3A8000."
    ]


def test_an_old_key_still_verifies_after_rotation(
    signed: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    old = issuer_key_rotate(tmp_path)
    settings.HOCVUSO_KEYS_DIR = tmp_path
    before = credential_sign(badge_build(make_input()), created=ISSUED)
    new = issuer_key_rotate(tmp_path)
    after = credential_sign(badge_build(make_input()), created=ISSUED)
    assert before["proof"]["verificationMethod"].endswith(old.kid)
    assert after["proof"]["verificationMethod"].endswith(new.kid)
    assert credential_verify(before, now=NOW).verified
    assert credential_verify(after, now=NOW).verified


def test_an_expired_credential_is_refused(signed: dict[str, Any]) -> None:
    result = credential_verify(signed, now=datetime(2031, 3, 1, tzinfo=UTC))
    assert result.errors == ["The credential has expired."]


def test_a_credential_not_valid_yet_is_refused(signed: dict[str, Any]) -> None:
    result = credential_verify(signed, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert result.errors == ["The credential is not valid yet."]


def test_a_revoked_credential_is_refused(signed: dict[str, Any]) -> None:
    revoked = status_list_credential(LIST_URL, [41, 42], now=ISSUED)
    result = credential_verify(signed, now=NOW, status_list=revoked)
    assert result.errors == ["The credential has been revoked."]
    good = status_list_credential(LIST_URL, [41, 43], now=ISSUED)
    result = credential_verify(signed, now=NOW, status_list=good)
    assert result.verified and result.warnings == []


def test_a_forged_status_list_is_not_trusted(signed: dict[str, Any]) -> None:
    forged = status_list_credential(LIST_URL, [42], now=ISSUED)
    forged["credentialSubject"]["encodedList"] = status_list_credential(
        LIST_URL, [], now=ISSUED
    )["credentialSubject"]["encodedList"]
    result = credential_verify(signed, now=NOW, status_list=forged)
    assert not result.verified
    assert result.errors[0].startswith("The status list cannot be trusted")


def test_another_status_list_is_refused(signed: dict[str, Any]) -> None:
    other = status_list_credential(f"{LIST_URL}0", [], now=ISSUED)
    result = credential_verify(signed, now=NOW, status_list=other)
    assert result.errors == [
        "The status list given is not the credential's status list."
    ]


def test_an_unknown_context_is_refused(signed: dict[str, Any]) -> None:
    doc = copy.deepcopy(signed)
    doc["@context"].append("https://example.org/context.json")
    result = credential_verify(doc, now=NOW)
    assert result.errors == [
        "The context https://example.org/context.json is not one hocvuso knows."
    ]


def test_an_undefined_term_added_after_signing_is_named(
    signed: dict[str, Any],
) -> None:
    doc = copy.deepcopy(signed)
    doc["credentialSubject"]["grade"] = "A+"
    result = credential_verify(doc, now=NOW)
    assert result.errors == ["Terms not defined by any context: grade."]


@pytest.mark.parametrize("doc", [[], "x", None, {"@context": 3}])
def test_garbage_is_not_verified(doc: Any) -> None:
    result = credential_verify(doc, now=NOW)
    assert not result.verified and result.errors


def test_a_credential_without_proof_is_refused(unsigned: dict[str, Any]) -> None:
    result = credential_verify(unsigned, now=NOW)
    assert result.errors == ["The credential has no single proof."]


def test_signing_refuses_another_issuer(unsigned: dict[str, Any]) -> None:
    doc = copy.deepcopy(unsigned)
    doc["issuer"]["id"] = "did:web:other.example"
    with pytest.raises(CredentialError, match="issuer must be"):
        credential_sign(doc, created=ISSUED)


def test_errors_are_in_the_active_language(signed: dict[str, Any]) -> None:
    from django.utils import translation

    with translation.override("vi"):
        result = credential_verify(signed, now=datetime(2031, 3, 1, tzinfo=UTC))
    assert result.errors == ["Giấy chứng nhận đã hết hạn."]
