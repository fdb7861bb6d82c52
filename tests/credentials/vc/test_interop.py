"""hocvuso's credentials verify with Digital Bazaar's verifier (Node, offline).

``tests/credentials/node`` pins ``@digitalbazaar/vc`` and its suite; the
session fixture installs them with ``scripts/ensure-node-tools`` (``npm ci``
into the git-ignored ``node_modules``). The Node side takes its contexts from
the npm context packages, not from hocvuso's copies, so it also checks that
the pinned files say what the published ones say. The VC-JOSE form is
checked with ``jose`` against the site's JWKS.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.vc.did import did_document, jwks
from hocvuso.credentials.vc.jose import credential_jwt
from hocvuso.credentials.vc.status import status_list_credential

from .conftest import ISSUED, LIST_URL, NOW

ROOT = Path(__file__).resolve().parents[3]
NODE_DIR = ROOT / "tests" / "credentials" / "node"


@pytest.fixture(scope="session")
def node_verifier() -> Path:
    assert shutil.which("node"), "Node is needed for the interoperability tests"
    subprocess.run([str(ROOT / "scripts" / "ensure-node-tools")], check=True)
    return NODE_DIR / "verify.mjs"


def _verify(script: Path, credential: Any, **extra: Any) -> dict[str, Any]:
    request = {
        "credential": credential,
        "didDocument": did_document(),
        "now": NOW.isoformat().replace("+00:00", "Z"),
        **extra,
    }
    proc = subprocess.run(
        ["node", str(script)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        cwd=NODE_DIR,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_digital_bazaar_accepts_a_hocvuso_credential(
    node_verifier: Path, signed: dict[str, Any]
) -> None:
    status = status_list_credential(LIST_URL, [7], now=ISSUED)
    result = _verify(node_verifier, signed, statusList=status)
    assert result == {"verified": True, "error": None}


def test_digital_bazaar_refuses_a_tampered_credential(
    node_verifier: Path, signed: dict[str, Any]
) -> None:
    doc = copy.deepcopy(signed)
    doc["credentialSubject"]["achievement"]["name"] = "Kỹ năng số nâng cao"
    status = status_list_credential(LIST_URL, [], now=ISSUED)
    result = _verify(node_verifier, doc, statusList=status)
    assert result["verified"] is False
    assert "Invalid signature" in result["error"]


def test_digital_bazaar_reads_the_revocation_bit(
    node_verifier: Path, signed: dict[str, Any]
) -> None:
    status = status_list_credential(LIST_URL, [42], now=ISSUED)
    result = _verify(node_verifier, signed, statusList=status)
    assert result == {"verified": False, "error": "revoked"}


def test_digital_bazaar_refuses_an_unknown_key(
    node_verifier: Path, signed: dict[str, Any]
) -> None:
    doc = copy.deepcopy(signed)
    doc["proof"]["verificationMethod"] = doc["proof"]["verificationMethod"] + "x"
    status = status_list_credential(LIST_URL, [], now=ISSUED)
    result = _verify(node_verifier, doc, statusList=status)
    assert result["verified"] is False
    assert "refused to load" in result["error"]


def _verify_jose(script: Path, token: str) -> dict[str, Any]:
    proc = subprocess.run(
        ["node", str(script.parent / "verify-jose.mjs")],
        input=json.dumps(
            {"token": token, "jwks": jwks(), "now": "2026-06-01T12:00:00Z"}
        ),
        capture_output=True,
        text=True,
        check=True,
        cwd=NODE_DIR,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_jose_accepts_a_hocvuso_vc_jwt(
    node_verifier: Path, unsigned: dict[str, Any]
) -> None:
    result = _verify_jose(node_verifier, credential_jwt(unsigned))
    assert result == {
        "verified": True,
        "error": None,
        "issuer": "did:web:127.0.0.1%3A8000",
    }


def test_jose_refuses_a_changed_vc_jwt(
    node_verifier: Path, unsigned: dict[str, Any]
) -> None:
    header, _payload, signature = credential_jwt(unsigned).split(".")
    forged = credential_jwt(dict(unsigned, name="Tiến sĩ")).split(".")[1]
    result = _verify_jose(node_verifier, f"{header}.{forged}.{signature}")
    assert result["verified"] is False
    assert "signature verification failed" in result["error"]
