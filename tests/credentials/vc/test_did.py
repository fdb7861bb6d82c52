from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings

from hocvuso.credentials.keys import issuer_key_rotate, issuer_keys
from hocvuso.credentials.vc.did import (
    did_document,
    did_web,
    did_web_url,
    jwks,
    multikey_decode,
)


@pytest.mark.parametrize(
    ("url", "did", "resolves"),
    [
        (
            "http://127.0.0.1:8000",
            "did:web:127.0.0.1%3A8000",
            "https://127.0.0.1:8000/.well-known/did.json",
        ),
        (
            "https://hocvuso.example.vn/",
            "did:web:hocvuso.example.vn",
            "https://hocvuso.example.vn/.well-known/did.json",
        ),
        (
            "https://so.example.vn/tinh/hue",
            "did:web:so.example.vn:tinh:hue",
            "https://so.example.vn/tinh/hue/did.json",
        ),
    ],
)
def test_did_web_follows_the_method(url: str, did: str, resolves: str) -> None:
    assert did_web(url) == did
    assert did_web_url(did) == resolves


def test_the_did_document_lists_every_key_for_assertions(tmp_path: Path) -> None:
    first = issuer_key_rotate(tmp_path)
    second = issuer_key_rotate(tmp_path)
    doc = did_document(issuer_keys(tmp_path), did="did:web:example.vn")
    ids = [m["id"] for m in doc["verificationMethod"]]
    assert sorted(ids) == sorted(f"did:web:example.vn#{k.kid}" for k in (first, second))
    assert doc["assertionMethod"] == ids
    for method, key in zip(
        doc["verificationMethod"], issuer_keys(tmp_path), strict=True
    ):
        assert method["type"] == "Multikey"
        assert method["controller"] == "did:web:example.vn"
        assert method["publicKeyMultibase"].startswith("z6Mk")
        assert multikey_decode(method["publicKeyMultibase"]) == key.public_bytes
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]


def test_jwks_has_every_key(tmp_path: Path) -> None:
    issuer_key_rotate(tmp_path)
    issuer_key_rotate(tmp_path)
    keys = jwks(issuer_keys(tmp_path))["keys"]
    assert [k["kid"] for k in keys] == [k.kid for k in issuer_keys(tmp_path)]
    assert {(k["kty"], k["crv"], k["alg"]) for k in keys} == {
        ("OKP", "Ed25519", "EdDSA")
    }
    assert all(len(k["x"]) == 43 for k in keys)


@pytest.mark.parametrize("path", ["/.well-known/did.json", "/did.json"])
def test_the_did_document_is_served(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=" in response["Cache-Control"]
    doc = json.loads(response.content)
    assert doc["id"] == did_web() == "did:web:127.0.0.1%3A8000"
    assert doc["assertionMethod"] == [m["id"] for m in doc["verificationMethod"]]


def test_a_rotated_key_shows_in_the_served_documents(
    client: Client, tmp_path: Path
) -> None:
    with override_settings(HOCVUSO_KEYS_DIR=tmp_path):
        old = issuer_key_rotate()
        new = issuer_key_rotate()
        did_doc = json.loads(client.get("/.well-known/did.json").content)
        keys = json.loads(client.get("/.well-known/jwks.json").content)["keys"]
    assert [m["id"].split("#")[1] for m in did_doc["verificationMethod"]] == sorted(
        [old.kid, new.kid]
    )
    assert {k["kid"] for k in keys} == {old.kid, new.kid}


def test_the_documents_answer_get_only(client: Client) -> None:
    assert client.post("/.well-known/jwks.json").status_code == 405
