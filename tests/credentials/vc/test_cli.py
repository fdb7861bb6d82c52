from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from hocvuso.core.models import AuditLog
from hocvuso.credentials.keys import issuer_key_current, issuer_key_rotate, issuer_keys
from hocvuso.credentials.vc.did import did_document
from hocvuso.credentials.vc.jose import credential_jwt
from hocvuso.credentials.vc.status import status_list_credential

from .conftest import ISSUED, LIST_URL


def _run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = 0
    try:
        call_command("certificates", *args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(capsys.readouterr().out)


def test_verify_prints_verified(
    signed: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.json").write_text(json.dumps(signed))
    code, out = _run("verify", str(tmp_path / "c.json"), capsys=capsys)
    assert code == 0 and out["verified"] is True and out["errors"] == []


def test_verify_with_the_did_document_and_status_list_files(
    signed: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.json").write_text(json.dumps(signed))
    (tmp_path / "did.json").write_text(json.dumps(did_document()))
    (tmp_path / "s.json").write_text(
        json.dumps(status_list_credential(LIST_URL, [42], now=ISSUED))
    )
    code, out = _run(
        "verify",
        str(tmp_path / "c.json"),
        "--did-doc",
        str(tmp_path / "did.json"),
        "--status-list",
        str(tmp_path / "s.json"),
        capsys=capsys,
    )
    assert code == 1
    assert out == {
        "verified": False,
        "errors": ["The credential has been revoked."],
        "warnings": [],
    }


def test_verify_a_tampered_file_exits_1(
    signed: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(signed)
    doc["validFrom"] = "2020-01-01T00:00:00Z"
    (tmp_path / "c.json").write_text(json.dumps(doc))
    code, out = _run("verify", str(tmp_path / "c.json"), capsys=capsys)
    assert code == 1 and out["verified"] is False
    assert out["errors"] == [
        "The signature does not match: the credential was changed."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the credential"),
        (b"{not json", "is not JSON"),
        (b"\xff\xfe", "is not JSON"),
    ],
)
def test_verify_a_missing_or_garbled_file_is_a_clean_error(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "c.json"
    if content is not None:
        path.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "hocvuso.cli", "certificates", "verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert out["verified"] is False and message in out["errors"][0]


@pytest.mark.django_db
def test_rotate_key_keeps_the_old_key_and_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with override_settings(HOCVUSO_KEYS_DIR=tmp_path):
        old = issuer_key_rotate()
        call_command("certificates", "rotate-key")
        new = issuer_key_current()
        assert new.kid != old.kid
        assert {k.kid for k in issuer_keys()} == {old.kid, new.kid}
    assert new.kid in capsys.readouterr().out
    entry = AuditLog.objects.get(action="issuer_key.rotate")
    assert entry.actor is None and entry.object_id == new.kid
    assert entry.before == {"kid": old.kid} and entry.after == {"kid": new.kid}


def test_verify_reads_a_vc_jwt_file_too(
    unsigned: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.jwt").write_text(credential_jwt(unsigned) + "\n")
    (tmp_path / "s.json").write_text(
        json.dumps(status_list_credential(LIST_URL, [42], now=ISSUED))
    )
    code, out = _run("verify", str(tmp_path / "c.jwt"), capsys=capsys)
    assert code == 0 and out["verified"] is True
    assert out["warnings"] == ["Revocation was not checked: no status list given."]
    code, out = _run(
        "verify",
        str(tmp_path / "c.jwt"),
        "--status-list",
        str(tmp_path / "s.json"),
        capsys=capsys,
    )
    assert code == 1 and out["errors"] == ["The credential has been revoked."]
